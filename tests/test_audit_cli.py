"""`qzdsl audit` as CI runs it: formats, files it writes, and exit codes — 0 when nothing is
at or above --fail-on, 1 when something is (or the policy does not check), 2 on usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from qzdsl import cli
from qzdsl.diagnostics import PathStyle

from cli_runner import run_main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = str(ROOT / "tests/fixtures/audit/policy.qz")
NO_ERRORS = str(ROOT / "tests/fixtures/audit/no_errors.qz")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "160")


def run(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    return run_main(capsys, monkeypatch, "audit", *args)


# ---- exit codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, code", [
    ((FIXTURE,), 1),  # QZA001 and QZA006 are errors
    ((FIXTURE, "--fail-on", "never"), 0),
    ((NO_ERRORS,), 0),  # a warning and notes only
    ((NO_ERRORS, "--fail-on", "warning"), 1),
    ((NO_ERRORS, "--fail-on", "never"), 0),
])
def test_exit_code_follows_fail_on(capsys, monkeypatch, args, code):
    policy, *rest = args
    assert run(capsys, monkeypatch, "--policy", policy, *rest)[0] == code


@pytest.mark.parametrize("args", [
    ("--policy", "no/such/policy.qz"),
    ("--format", "pdf"),
    ("--fail-on", "sometimes"),
    ("--graph", "graph.png"),
    ("--policy", FIXTURE, "--policy", NO_ERRORS, "--graph", "graph.dot"),
])
def test_usage_errors_exit_2(capsys, monkeypatch, args):
    code, out, err = run(capsys, monkeypatch, *args)
    assert code == 2 and out == "" and err


def test_a_policy_that_does_not_check_exits_1_with_its_diagnostics(capsys, monkeypatch, tmp_path):
    broken = tmp_path / "broken.qz"
    broken.write_text('policy "x": title "x", applies_from 2024-01-01\nbenefit a: 100 once, to nobody\n',
                      encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, "--policy", str(broken))
    assert code == 1 and out == "" and "QZ104" in err


# ---- output ----------------------------------------------------------------------------------


def test_table_on_stdout_summary_on_stderr(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--policy", FIXTURE)
    assert "QZA001" in out and "可能重复发放" not in err
    assert err.strip() == f"{PathStyle().show(FIXTURE)}: 3 错误, 6 警告, 20 提示"


def test_english_table(capsys, monkeypatch):
    _, out, err = run(capsys, monkeypatch, "--policy", FIXTURE, "--lang", "en")
    assert "possible double payment" in out and "3 errors" in err


@pytest.mark.parametrize("fmt, marker", [("json", '"schema": "qzdsl.audit.v1"'), ("sarif", '"version": "2.1.0"'),
                                         ("md", "```mermaid"), ("html", '<table class="relations">')])
def test_formats_on_stdout(capsys, monkeypatch, fmt, marker):
    _, out, _ = run(capsys, monkeypatch, "--policy", FIXTURE, "--format", fmt)
    assert marker in out


def test_out_graph_and_witness_files(capsys, monkeypatch, tmp_path):
    report, graph, witnesses = tmp_path / "audit.sarif", tmp_path / "graph.graphml", tmp_path / "witnesses"
    code, out, _ = run(capsys, monkeypatch, "--policy", FIXTURE, "-f", "sarif", "-o", str(report),
                       "--graph", str(graph), "--witness-dir", str(witnesses))
    assert code == 1 and out == ""
    assert json.loads(report.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert graph.read_text(encoding="utf-8").startswith("<?xml")
    files = sorted(p.name for p in witnesses.iterdir())
    assert "purchase_grant--graduate_withdrawal.yaml" in files and len(files) == 15


def test_a_written_witness_evaluates_with_qzdsl_eval(capsys, monkeypatch, tmp_path):
    witnesses = tmp_path / "witnesses"
    run(capsys, monkeypatch, "--policy", FIXTURE, "-f", "json", "--witness-dir", str(witnesses))
    monkeypatch.setattr(sys, "argv", ["qzdsl", "eval", str(witnesses / "purchase_grant--graduate_withdrawal.yaml"),
                                      "--policy", FIXTURE, "--format", "json"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code in (0, None)
    record = json.loads(capsys.readouterr().out)
    statuses = {clause["id"]: clause["status"] for clause in record["clauses"]}
    assert statuses["purchase_grant"] == "granted" and statuses["graduate_withdrawal"] == "granted"


def test_eval_does_not_pay_for_the_audit(tmp_path):
    """z3, networkx and jinja2 are imported by `audit` only: `eval` starts without them."""
    import subprocess

    case = tmp_path / "case.yaml"
    case.write_text("kind: person\nas_of: 2024-06-01\nfacts:\n  no_home: true\n", encoding="utf-8")
    script = ("import sys\nfrom qzdsl.cli import main\n"
              f"sys.argv = ['qzdsl', 'eval', {str(case)!r}, '--policy', {FIXTURE!r}, '-f', 'json']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in ('z3', 'networkx', 'jinja2') if m in sys.modules), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "[]"
