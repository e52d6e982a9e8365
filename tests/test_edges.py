"""Edges: input shapes that ended in tracebacks, and one semantics where the back ends met
(probes in tests/fixtures/probes/ and tests/fixtures/broken/definition_chain_too_deep.qz)."""

from __future__ import annotations

import json

import pytest

import qzdsl
from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.diagnostics import QzError

POLICY = "tests/fixtures/eval/policy.qz"
PROBES = "tests/fixtures/probes"


# ---- no traceback ----------------------------------------------------------------------------


def test_a_list_for_an_enumeration_fact_is_a_positioned_error(root, run_cli):
    policy = qzdsl.load(root / POLICY)
    with pytest.raises(QzError) as raised:
        load_case(root / PROBES / "list-for-enum.yaml", policy)
    (found,) = raised.value.diagnostics
    assert found.code == "QZ403" and found.span.line == 5
    with pytest.raises(QzError):
        case_from_dict({"kind": "person", "facts": {"employer": ["private"], "no_home": [True]}}, policy)
    code, _, err = run_cli("eval", root / PROBES / "list-for-enum.yaml", "-p", root / POLICY)
    assert code == 1 and "QZ403" in err and "Traceback" not in err


def _chain(root, tmp_path, length: int):
    """The eval fixture with `is_graduate` reached through `length` definitions."""
    text = (root / POLICY).read_text(encoding="utf-8")
    chain = ['define c0 "c0": is_graduate'] + [f'define c{i} "c{i}": c{i - 1}' for i in range(1, length)]
    policy = tmp_path / "policy.qz"
    policy.write_text(text + "\n" + "\n".join(chain) + "\n", encoding="utf-8")
    used = policy.read_text(encoding="utf-8").replace('"近两年高校毕业生": is_graduate and',
                                                      f'"近两年高校毕业生": c{length - 1} and')
    assert f"c{length - 1} and" in used
    policy.write_text(used, encoding="utf-8")
    (tmp_path / "source.txt").write_bytes((root / "tests/fixtures/eval/source.txt").read_bytes())
    return policy


def test_a_chain_of_150_definitions_works_in_every_command(root, tmp_path, run_cli):
    policy = _chain(root, tmp_path, 150)
    case = root / "tests/fixtures/eval/cases/homebuyer.yaml"
    for args in (["check", policy], ["show", "-p", policy, "-f", "json"], ["compile", "-p", policy],
                 ["eval", case, "-p", policy, "-f", "json"],
                 ["audit", "-p", policy, "-f", "json", "--fail-on", "never"]):
        code, _, err = run_cli(*args)
        assert code == 0, (args, err)
        assert "Traceback" not in err and "internal error" not in err


def test_a_chain_deeper_than_the_limit_is_refused_before_any_stage(root, tmp_path, run_cli):
    policy = _chain(root, tmp_path, 400)
    for args in (["check", policy], ["eval", root / "tests/fixtures/eval/cases/homebuyer.yaml", "-p", policy]):
        code, _, err = run_cli(*args)
        assert code == 1 and "QZ208" in err and "internal error" not in err


def test_many_comments_keep_their_line_numbers(tmp_path):
    from qzdsl.language.parser import parse

    text = 'policy "测试": title "t", applies_from 2023-01-01\n' + "".join(f"# 注释 {i}\n" for i in range(20_000))
    comments = parse(text).comments
    assert len(comments) == 20_000 and comments[-1].line == 20_001 and comments[-1].text == "# 注释 19999"


def test_an_unexpected_exception_is_one_line_asking_for_a_report(run_cli, monkeypatch, root):
    from qzdsl.backends.evaluator import evaluator

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluator, "evaluate", broken)
    code, out, err = run_cli("eval", root / "tests/fixtures/eval/cases/homebuyer.yaml", "-p", root / POLICY)
    assert code == 70 and out == "" and "Traceback" not in err
    assert err == ("错误：qzdsl eval 因内部错误而停止（RuntimeError: boom）。\n"
                   "这是 qzdsl 的缺陷：请连同所用的命令和文件一起报告。\n")


def test_ctrl_c_exits_130_with_no_output(run_cli, monkeypatch, root):
    from qzdsl.backends.evaluator import evaluator
    from qzdsl.interrupt import Interrupted

    def interrupted(*args, **kwargs):
        raise Interrupted()

    monkeypatch.setattr(evaluator, "evaluate", interrupted)
    code, out, _ = run_cli("eval", root / "tests/fixtures/eval/cases/homebuyer.yaml", "-p", root / POLICY)
    assert (code, out) == (130, "")


def test_ctrl_c_cancels_native_work_at_once():
    """What the DuckDB engine does: the work runs in a thread; SIGINT in the main thread
    cancels it and propagates, without waiting for the work to end on its own."""
    import os
    import signal
    import threading
    import time

    from qzdsl.interrupt import Interrupted, run_cancellable, sigint_raises

    stop = threading.Event()
    threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    with sigint_raises(), pytest.raises(Interrupted):
        run_cancellable(lambda: stop.wait(30), stop.set)
    assert stop.is_set() and time.monotonic() - started < 5


# ---- one semantics ---------------------------------------------------------------------------


def test_the_decision_id_comes_from_normalised_facts(run_cli, root):
    ids = []
    for name in ("salary-99.9.yaml", "salary-99.90.yaml"):
        code, out, _ = run_cli("eval", root / PROBES / name, "-p", root / POLICY, "-f", "json")
        assert code == 0
        ids.append(json.loads(out)["decision_id"])
    assert ids[0] == ids[1]


def test_full_width_digits_are_money_in_a_case_file(root):
    case = load_case(root / PROBES / "fullwidth-money.yaml", qzdsl.load(root / POLICY))
    assert str(case.facts["salary"]) == "123"


def test_fmt_accepts_what_check_accepts_a_byte_order_mark(tmp_path, run_cli, root):
    policy = tmp_path / "policy.qz"
    policy.write_bytes(b"\xef\xbb\xbf" + 'policy "测试": title "t", applies_from 2023-01-01\n'.encode("utf-8"))
    assert run_cli("check", policy)[0] == 0
    code, _, err = run_cli("fmt", policy)
    assert code == 0 and "Traceback" not in err
    assert not policy.read_bytes().startswith(b"\xef\xbb\xbf") and qzdsl.check(policy).ok


def test_a_duckdb_query_cancelled_by_ctrl_c_leaves_a_connection_that_closes():
    """Ctrl-C while the main thread waits for a query: the query is interrupted and waited
    for, so the connection is free again (closing it raised "connection is busy", and the
    worker left running aborted the process at exit)."""
    import os
    import signal
    import threading

    import duckdb

    from qzdsl.interrupt import Interrupted, run_cancellable, sigint_raises

    connection = duckdb.connect()
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with sigint_raises(), pytest.raises(Interrupted):
        run_cancellable(lambda: connection.execute("SELECT count(*) FROM range(100000000000) t(x) "
                                                   "WHERE x % 7 = 3").fetchall(), connection.interrupt)
    connection.close()
    assert [t for t in threading.enumerate() if t.name.endswith("(run)")] == []
