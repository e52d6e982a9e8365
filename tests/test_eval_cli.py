"""`qzdsl eval` and `qzdsl schema` as a caseworker runs them: formats, options, exit codes
(0 evaluated, 1 invalid case, 2 usage), data on stdout and diagnostics on stderr; and the
on-disk cache of compiled policies behind them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import qzdsl
from qzdsl import cache as policy_cache

from cli_runner import run_main

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "tests/fixtures/eval/policy.qz")
CASES = str(ROOT / "tests/fixtures/eval/cases")


def test_table_for_the_counter(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # wide enough that no amount wraps
    code, out, err = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "--policy", POLICY)
    assert code == 0 and err == ""
    assert "购房一次性补贴" in out and "26,000元—32,000元" in out and "从优不重复" in out


def test_json_on_stdout(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "-f", "json")
    record = json.loads(out)
    assert code == 0 and record["schema"] == "qzdsl.eval.v1" and record["as_of"] == "2024-08-01"


def test_as_of_option_overrides_the_case(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "-f", "json",
                       "--as-of", "2025-01-02")
    statuses = {c["id"]: c["status"] for c in json.loads(out)["clauses"]}
    assert code == 0 and statuses["home_grant"] == "not_in_force"


def test_english_markdown(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/graduate-renter.yaml", "-p", POLICY, "-f", "md",
                       "--lang", "en")
    assert code == 0 and out.startswith("# Eligibility decision — 测试〔2023〕1号\n")


def test_html_to_a_file(capsys, monkeypatch, tmp_path):
    target = tmp_path / "report.html"
    code, out, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "-f", "html",
                       "--out", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_table_to_a_file_has_no_colour_codes(capsys, monkeypatch, tmp_path):
    target = tmp_path / "table.txt"
    code, _, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/mentor.yaml", "-p", POLICY, "--out", str(target))
    text = target.read_text(encoding="utf-8")
    assert code == 0 and "创业导师补贴" in text and "\x1b[" not in text


def test_invalid_case_exits_1_with_positioned_diagnostics(capsys, monkeypatch):
    code, out, err = run_main(capsys, monkeypatch, "eval", "tests/fixtures/eval/broken/unknown-fact.yaml", "-p", POLICY,
                               "--lang", "en")
    assert code == 1 and out == ""
    assert err.splitlines()[:4] == [
        "tests/fixtures/eval/broken/unknown-fact.yaml:4:3: error[QZ402]: unknown fact 'no_hom'",
        " 4 |   no_hom: true",
        "   |   ^^^^^^",
        "   = hint: did you mean 'no_home'?",
    ]
    assert "5:3: error[QZ402]" in err


def test_missing_case_file_is_a_usage_error(capsys, monkeypatch):
    code, out, err = run_main(capsys, monkeypatch, "eval", "no-such-case.yaml", "-p", POLICY)
    assert (code, out) == (2, "") and "没有这个文件：no-such-case.yaml" in err


def test_bad_as_of_is_a_usage_error(capsys, monkeypatch):
    code, _, err = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "--as-of",
                       "2024-02-30", "--lang", "en")
    assert code == 2 and "--as-of: '2024-02-30' is not a calendar date (check the month and the day)" in err


def test_unknown_format_is_a_usage_error(capsys, monkeypatch):
    code, _, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "-f", "pdf")
    assert code == 2


def test_further_policies_are_weighed_as_if_imported(capsys, monkeypatch):
    # An existing policy's bigger rent subsidy shares the exclusion group `housing`: under
    # 从优、从高、不重复 it wins over the living subsidy of the policy being evaluated.
    code, out, _ = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY,
                            "-p", "tests/fixtures/eval/existing.qz", "-f", "json")
    assert code == 0
    record = json.loads(out)
    clauses = {c["id"]: c for c in record["clauses"]}
    assert record["policy"]["doc_number"] == "测试〔2023〕1号"
    assert clauses["talent_rent_subsidy"]["status"] == "granted"
    assert clauses["living_subsidy"]["status"] == "excluded"
    assert clauses["living_subsidy"]["excluded_by"] == "talent_rent_subsidy"


def test_default_policy_is_the_bundled_one(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "eval", "policies/qzf-2023-12/cases/graduate-homebuyer.yaml",
                       "-f", "json")
    assert code == 0 and json.loads(out)["policy"]["doc_number"] == "衢政发〔2023〕12号"


def test_schema_command_prints_the_case_schema(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "schema", "-p", POLICY)
    schema = json.loads(out)
    employer = schema["properties"]["facts"]["properties"]["employer"]["anyOf"][0]  # [1]: a value changing over time
    assert code == 0 and employer["enum"][:2] == ["private", "public"]


# ---- the policy cache ------------------------------------------------------------------------


def test_cached_policy_equals_the_compiled_one():
    fresh = policy_cache.load(POLICY)
    assert list(Path(policy_cache._directory()).glob("*.entry"))
    assert policy_cache.load(POLICY) == fresh == qzdsl.load(POLICY)


def test_editing_the_policy_invalidates_the_cache(tmp_path):
    work = tmp_path / "policy"
    work.mkdir()
    for name in ("policy.qz", "source.txt"):
        (work / name).write_text((ROOT / "tests/fixtures/eval" / name).read_text(encoding="utf-8"), encoding="utf-8")
    before = policy_cache.load(work / "policy.qz")
    text = (work / "policy.qz").read_text(encoding="utf-8")
    (work / "policy.qz").write_text(text.replace("高校毕业生就业补贴", "高校毕业生就业补助", 1), encoding="utf-8")
    after = policy_cache.load(work / "policy.qz")
    assert before.sha256 != after.sha256
    assert after.clause("graduate_grant").title == "高校毕业生就业补助"


def test_a_corrupt_cache_entry_is_recompiled():
    policy_cache.load(POLICY)
    (entry,) = Path(policy_cache._directory()).glob("*.entry")
    entry.write_bytes(b"not a pickle")
    assert policy_cache.load(POLICY) == qzdsl.load(POLICY)
    assert entry.read_bytes() != b"not a pickle"


def test_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("QZDSL_CACHE_DIR", "")
    assert policy_cache._directory() is None
    assert policy_cache.load(POLICY).info.doc_number == "测试〔2023〕1号"


def test_as_of_out_of_range_is_a_usage_error(capsys, monkeypatch):
    code, _, err = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, "--as-of",
                       "9999-12-31", "--lang", "en")
    assert code == 2 and "out of range" in err


@pytest.mark.parametrize("args, message", [
    (["--out", "no-such-folder/x.json"], "no folder no-such-folder"),
    (["--out", "tests"], "cannot write tests: it is a folder"),
    (["--as-of", "20240101"], "--as-of: '20240101' is not written as a date (did you mean 2024-01-01?)"),
    (["--as-of", "2024-W01-1"], "--as-of: '2024-W01-1' is not a date (write the date as YYYY-MM-DD"),
])
def test_bad_output_or_date_options_are_usage_errors(args, message, capsys, monkeypatch):
    code, out, err = run_main(capsys, monkeypatch, "eval", f"{CASES}/homebuyer.yaml", "-p", POLICY, *args,
                              "--lang", "en")
    assert (code, out) == (2, "") and message in err


def test_batch_refuses_to_overwrite_its_input(capsys, monkeypatch, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("kind\nperson\n", encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", "--batch", str(source), "--out", str(source), "-p", POLICY)
    assert code == 2 and "--out、--errors 与 --batch 的文件必须是三个不同的文件" in err
    assert source.read_text(encoding="utf-8") == "kind\nperson\n"
