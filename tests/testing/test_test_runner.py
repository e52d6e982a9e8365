"""`qzdsl test`: a wrong expectation fails with a diff and the clause's trace; invalid test
files are positioned diagnostics (exit 2); coverage names what no test touches; the JSON
and JUnit reports carry the same verdicts. The fixtures (tests/fixtures/policy_tests/) use
their own small policy, whose social-insurance group really has to decide (从优)."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qzdsl import load
from qzdsl import cli
from qzdsl.diagnostics import PathStyle, QzError
from qzdsl.testing.spec import load_tests
from qzdsl.testing.coverage import condition_atoms, coverage
from qzdsl.testing.runner import run_paths
from qzdsl.reports.testing.text import render_run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policy_tests"
POLICY = ["--policy", str(FIXTURES / "policy.qz")]
runner = CliRunner()


def at(path: str) -> str:
    """A path under the fixtures, as given on the command line."""
    return str(FIXTURES / path)


def short(text: str) -> str:
    """A report with the fixture folder's name (as qzdsl shows it) taken out, so that
    expectations read as if run inside that folder, wherever the suite runs."""
    return text.replace(PathStyle().show(str(FIXTURES)) + "/", "")


@pytest.fixture(scope="module")
def policy():
    return load(FIXTURES / "policy.qz")


def test_passing_tests_beside_the_policy_exit_0():
    result = runner.invoke(cli.app, ["test", *POLICY])
    assert result.exit_code == 0, result.output
    assert short(result.stdout).splitlines()[1:] == [
        "tests/social-insurance.yaml ..",
        "2 项通过，0 项失败",
    ]
    assert result.stderr == ""


def test_wrong_expectation_fails_with_diff_and_trace(snapshot):
    result = runner.invoke(cli.app, ["test", at("failing"), *POLICY])
    assert result.exit_code == 1
    lines = short(result.stdout).splitlines()
    assert lines[-1] == "1 项通过，1 项失败"
    # The diff: where the expectation is written, what it expects and what the policy gives.
    start = lines.index("二（三） 高校毕业生社会保险补贴：")
    assert lines[start + 1:start + 4] == [
        "  failing/wrong-amount.yaml:7:45: 每期金额",
        "  - 预期：3,000元",
        "  + 实际：2,400元",
    ]
    # The trace of the clause in question, and why the other one was excluded: in words.
    assert "      ✓ 属于“高校毕业生”" in lines
    assert any(line.startswith("  按“从优、从高、不重复”，由“高校毕业生社会保险补贴”（2,400元）替代本项（0元）")
               for line in lines)
    assert not [line for line in lines if "graduate_insurance" in line or "= true" in line]
    # The whole report, as read by someone running the tests inside the fixture folder.
    run = run_paths(load(FIXTURES / "policy.qz"), [FIXTURES / "failing"])
    assert render_run(run, paths=PathStyle(base=FIXTURES)) == snapshot


def test_exclusion_decides_and_is_asserted(policy):
    run = run_paths(policy, [FIXTURES / "tests"])
    assert run.ok
    result = run.results[0].decision.result("flexible_insurance")
    assert (result.status.value, result.excluded_by) == ("excluded", "graduate_insurance")


def test_exhaustive_expects_every_unlisted_clause_ineligible(policy, tmp_path):
    test = tmp_path / "exhaustive.yaml"
    test.write_text(f"name: 只列一项\ncase: {FIXTURES / 'cases' / 'moonlighter.yaml'}\n"
                    "expect:\n  graduate_insurance: granted\nexhaustive: true\n", encoding="utf-8")
    [result] = run_paths(policy, [test]).results
    assert [(x.clause, x.field, x.expected, x.got) for x in result.mismatches] == [
        ("flexible_insurance", "status", "ineligible", "excluded"),
    ]
    assert str(result.mismatches[0].check.span) == f"{test}:5:13"


def test_facts_of_the_test_override_the_case_file_and_null_removes_one(policy, tmp_path):
    test = tmp_path / "override.yaml"
    test.write_text(f"name: 不再灵活就业\ncase: {FIXTURES / 'cases' / 'moonlighter.yaml'}\n"
                    "facts: {flexible: false, hard_to_employ: null}\n"
                    "expect:\n  flexible_insurance: ineligible\n", encoding="utf-8")
    [loaded] = load_tests([test], policy)
    assert loaded.case.facts == {"graduate": True, "non_public": True, "flexible": False}
    assert run_paths(policy, [test]).ok


@pytest.mark.parametrize("amount", ["2400", "2,400", "0.24万", "两千四百元", "两千四", "贰仟肆佰元", "２４００"])
def test_an_expected_amount_may_be_written_as_people_write_money(policy, tmp_path, amount):
    test = tmp_path / "amount.yaml"
    test.write_text(f"name: 金额的写法\ncase: {FIXTURES / 'cases' / 'moonlighter.yaml'}\n"
                    f"expect:\n  graduate_insurance: {{status: granted, amount: '{amount}'}}\n", encoding="utf-8")
    assert run_paths(policy, [test]).ok


INVALID = [
    ("unknown_clause.yaml", "invalid/unknown_clause.yaml:4:3: error[QZ502]: unknown clause 'graduate_insurence'",
     "did you mean 'graduate_insurance'?"),
    ("unknown_status.yaml", "invalid/unknown_status.yaml:4:23: error[QZ503]: unknown status 'grantd'",
     "did you mean 'granted'?"),
    ("bad_amount.yaml", "invalid/bad_amount.yaml:4:49: error[QZ504]: 'amount' is not an amount in yuan: '两千四百块'",
     "write a whole number of yuan (20000), an amount in 万 (2万), or yuan and fen (350.50)"),
    ("unknown_fact.yaml", "invalid/unknown_fact.yaml:5:3: error[QZ402]: unknown fact 'graduat'",
     "did you mean 'graduate'?"),
    ("missing_case.yaml", "invalid/missing_case.yaml:2:7: error[QZ505]: case file not found: ../cases/nobody.yaml",
     "the path is relative to the test file; looked for cases/nobody.yaml"),
    ("no_as_of.yaml", "invalid/no_as_of.yaml:1:1: error[QZ507]: the test has no evaluation date",
     "add 'as_of: YYYY-MM-DD' to the test or to its case file: a test must not depend on today"),
    ("wrong_kind.yaml", "invalid/wrong_kind.yaml:6:3: error[QZ506]: clause 'graduate_insurance' "
     "(高校毕业生社会保险补贴) is for 个人, but the test's applicant is 创业导师",
     "expect only clauses of the case's kind of applicant"),
    ("malformed.yaml", "invalid/malformed.yaml:5:1: error[QZ501]: malformed YAML: expected ',' or '}', but got "
     "'<stream end>'", None),
]


@pytest.mark.parametrize("name, headline, hint", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_test_file_exits_2_with_positioned_diagnostic(name, headline, hint):
    result = runner.invoke(cli.app, ["test", at(f"invalid/{name}"), *POLICY, "--lang", "en"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = short(result.stderr).splitlines()
    assert lines[0] == headline
    assert lines[1].startswith(" ") and "|" in lines[1] and "^" in lines[2]  # source line and caret
    if hint:
        assert f"   = hint: {hint}" in lines
    assert lines[-1].endswith("error(s) in test files: no test was run")


def test_test_file_diagnostics_read_in_the_users_language():
    result = runner.invoke(cli.app, ["test", at("invalid/bad_amount.yaml"), *POLICY])
    assert result.exit_code == 2
    lines = short(result.stderr).splitlines()
    assert lines[0] == "invalid/bad_amount.yaml:4:49: error[QZ504]: amount 不是以元计的金额：“两千四百块”"
    assert "   = 提示: 请写整数元（20000）、以万计的金额（2万）或元与分（350.50）" in lines
    assert lines[-1] == "测试文件中有 1 个错误：未运行任何测试"


def test_caret_spans_the_whole_invalid_value():
    result = runner.invoke(cli.app, ["test", at("invalid/bad_amount.yaml"), *POLICY])
    assert result.stderr.splitlines()[1:3] == [
        " 4 |   graduate_insurance: {status: granted, amount: 两千四百块}",
        "   |                                                 ^^^^^^^^^^",
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    result = runner.invoke(cli.app, ["test", at("invalid/unknown_fact.yaml"), *POLICY, "--lang", "en"])
    assert [line for line in short(result.stderr).splitlines() if "error[" in line] == [
        "invalid/unknown_fact.yaml:5:3: error[QZ402]: unknown fact 'graduat'",
        "invalid/unknown_fact.yaml:8:56: error[QZ402]: unknown fact 'graduat'",
    ]


def test_duplicate_test_names_and_unknown_keys_are_invalid(policy, tmp_path):
    test = tmp_path / "dup.yaml"
    test.write_text("tests:\n"
                    "  - {name: 一, kind: mentor, as_of: 2024-06-01, expect: {mentor_subsidy: ineligible}}\n"
                    "  - {name: 一, kind: mentor, as_of: 2024-06-01, expect: {mentor_subsidy: granted}}\n"
                    "  - {name: 二, kind: mentor, as_of: 2024-06-01, expcet: {mentor_subsidy: ineligible}}\n",
                    encoding="utf-8")
    with pytest.raises(QzError) as info:
        load_tests([test], policy)
    assert [(d.code, d.message, d.hint, d.span.line) for d in info.value.diagnostics] == [
        ("QZ508", "duplicate test name '一'", "it is first used on line 2; test names identify failures", 3),
        ("QZ501", "unknown key 'expcet' in a test", "did you mean 'expect'?", 4),
    ]


def test_coverage_names_the_clause_no_test_touches():
    result = runner.invoke(cli.app, ["test", "--coverage", *POLICY])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "条款覆盖率：2/3 项条款既有测试判为可享受、又有测试判为不予享受（66.7%）" in lines
    assert "无测试涉及的条款：二（一） 创业导师补贴" in lines
    assert any(line.startswith("  二（一） 创业导师补贴 ") and line.endswith("无测试涉及") for line in lines)
    assert "  二（一） 创业导师补贴：属于“提供创业服务” — 从未判定" in lines
    assert lines[-1] == "2 项通过，0 项失败"
    english = runner.invoke(cli.app, ["test", "--coverage", *POLICY, "--lang", "en"]).stdout.splitlines()
    assert "clause coverage: 2/3 clauses granted by some test and denied by another (66.7%)" in english
    assert "  二（一） 创业导师补贴: is “提供创业服务” — never decided" in english
    assert english[-1] == "2 passed, 0 failed"


def test_min_coverage_fails_below_the_threshold():
    below = runner.invoke(cli.app, ["test", "--min-coverage", "100", *POLICY])
    assert below.exit_code == 1
    assert below.stderr == "条款覆盖率 66.7% 低于 --min-coverage 100%\n"
    assert runner.invoke(cli.app, ["test", "--min-coverage", "66", *POLICY]).exit_code == 0


def test_coverage_counts_statuses_groups_and_atoms(policy):
    cov = coverage(run_paths(policy, [FIXTURES / "tests"]))
    by_id = {c.clause.id: c for c in cov.clauses}
    assert (by_id["flexible_insurance"].granted, by_id["flexible_insurance"].excluded) == (1, 1)
    assert cov.untouched() == ("mentor_subsidy",)
    [group] = cov.groups
    assert (group.group, group.granted, group.contested, group.excluded) == ("social_insurance", 2, 1, 1)
    atoms = {(a.clause, a.text): (a.seen_true, a.seen_false) for a in cov.atoms}
    assert atoms[("flexible_insurance", "hard_to_employ")] == (1, 1)
    assert atoms[("flexible_insurance", "flexible")] == (2, 0)


def test_condition_atoms_expand_definitions_and_skip_other_kinds_equivalences():
    policy = load()
    clause = policy.clause("hr_agency_recruitment_policy")
    atoms = condition_atoms(policy, clause.requires, clause.beneficiary)
    # The school's and the village's 同等享受 extend the definition for them, not for agencies.
    assert [(path, expr.text, within) for path, expr, within in atoms] == [
        ((0, 0, 0), "licensed_hr_agency", ("hr_agency_subsidy_eligible",))]


def test_junit_report_has_one_testcase_per_test_and_the_diff_in_the_failure():
    result = runner.invoke(cli.app, ["test", at("failing"), "--format", "junit", *POLICY])
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    [suite] = root
    cases = {case.get("name"): case for case in suite}
    assert set(cases) == {"金额写错的测试", "正确的测试"}
    [failure] = cases["金额写错的测试"]
    assert failure.get("message") == ("预期未满足：二（三） 高校毕业生社会保险补贴（每期金额）；"
                                      "二（五） 灵活就业社会保险补贴（结论）")
    assert "  - 预期：3,000元\n  + 实际：2,400元" in failure.text
    assert list(cases["正确的测试"]) == []
    assert result.stderr == "1 项通过，1 项失败\n"


def test_json_report_lists_mismatches_with_their_place():
    result = runner.invoke(cli.app, ["test", at("failing"), "--format", "json", *POLICY])
    data = json.loads(result.stdout)
    assert data["summary"] == {"passed": 1, "failed": 1, "total": 2}
    failed = next(t for t in data["tests"] if not t["passed"])
    failed["mismatches"][0]["at"] = short(failed["mismatches"][0]["at"])
    assert failed["mismatches"][0] == {"clause": "graduate_insurance", "field": "amount",
                                       "expected": {"low": 3000, "high": 3000}, "got": {"low": 2400, "high": 2400},
                                       "at": "failing/wrong-amount.yaml:7:45"}


def test_out_writes_the_report_to_a_file(tmp_path):
    out = tmp_path / "report.xml"
    result = runner.invoke(cli.app, ["test", "--format", "junit", "--out", str(out), *POLICY])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert ET.parse(out).getroot().get("tests") == "2"


def test_missing_path_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["qzdsl", "test", "no-such-tests", *POLICY])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    assert "没有这个文件或文件夹：no-such-tests" in capsys.readouterr().err


def test_a_policy_folder_runs_its_tests_and_skips_its_case_files():
    from qzdsl.testing.spec import find_test_files

    folder = Path(__file__).resolve().parents[2] / "policies/qzf-2023-12"
    found = find_test_files([folder])
    assert found and all(p.parent.name == "tests" for p in found)
