"""Amendments (`qzdsl diff`, reforms as policy files, `simulate --reform`): a reviewer
writes only the change; the diff lists it and proves, with an applicant treated
differently, what it does; the population run totals both versions in one query."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.audit.diff import Aspect, Impact, diff
from qzdsl.backends.sql.simulate import simulate, simulate_reform
from qzdsl.diagnostics import QzError
from qzdsl.language.formatter import format_text
from qzdsl.language.parser import parse

from cli_runner import run_main

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "policies/qzf-2023-12"
REFORMS = BUNDLED / "reforms"
SQL = ROOT / "tests/fixtures/sql"


@pytest.fixture(scope="module")
def base():
    return qzdsl.load(BUNDLED / "policy.qz")


def _reform(tmp_path: Path, body: str, text: str = "") -> Path:
    """A reform of the bundled policy written beside a copy of it."""
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder, ignore=shutil.ignore_patterns("cases", "tests", "reforms"))
    (folder / "reform.txt").write_text(text or "无。", encoding="utf-8")
    path = folder / "reform.qz"
    path.write_text('import "qzf-2023-12/policy.qz"\n\npolicy "修订（测试）": title "修订（测试）", '
                    'source "reform.txt", applies_from 2023-01-01\n\n' + body, encoding="utf-8")
    return path


# ---- the language ----------------------------------------------------------------------


def test_amend_replaces_the_properties_it_gives_and_adds_its_quote(base):
    reformed = qzdsl.load(REFORMS / "annual-10000.qz")
    old = next(c for c in base.clauses if c.id == "housing_annual_subsidy")
    new = next(c for c in reformed.clauses if c.id == "housing_annual_subsidy")
    assert (old.amount.low, new.amount.low) == (8000, 10000)
    assert new.amount.max_periods == old.amount.max_periods and new.requires == old.requires, "the rest is kept"
    assert [c.quote for c in new.citations][-1] == "从购房当年起给予每人每年10000元的补贴"
    assert {c.id for c in base.clauses} == {c.id for c in reformed.clauses}


def test_amend_section_moves_the_trial_of_every_clause_under_it(base):
    reformed = qzdsl.load(REFORMS / "trial-5-years.qz")
    housing = [c for c in reformed.clauses if c.section == "二（十）"]
    assert housing and {c.window.end for c in housing} == {dt.date(2027, 12, 31)}
    assert {c.window.provision.quote for c in housing} == {"其中就业创业安居保障政策试行5年"}
    assert {c.window.end for c in base.clauses if c.section == "二（十）"} == {dt.date(2025, 12, 31)}


def test_replace_and_repeal(tmp_path, base):
    path = _reform(tmp_path, 'replace benefit mentor_subsidy "创业导师补贴（修订）": up to 6000 per year, to mentor,\n'
                             '    requires in_mentor_pool, discretionary, cite "每人每年最高6000元"\n\n'
                             'repeal entitlement startup_premises_relaxed: note "删除"\n',
                   "对创业导师，可给予每人每年最高6000元补贴。")
    reformed = qzdsl.load(path)
    mentor = next(c for c in reformed.clauses if c.id == "mentor_subsidy")
    assert (mentor.title, mentor.amount.high, len(mentor.citations)) == ("创业导师补贴（修订）", 6000, 1)
    assert "startup_premises_relaxed" not in {c.id for c in reformed.clauses}


@pytest.mark.parametrize("body, expected", [
    ("amend benefit housing_anual_subsidy: 10000 per year\n", "'amend' names no clause 'housing_anual_subsidy'"),
    ("amend entitlement housing_annual_subsidy: note \"x\"\n", "is a benefit, not a entitlement"),
    ('amend section "二（十）" "安居": trial 5 years from applies_from\n', "is titled"),
])
def test_an_amendment_that_names_nothing_is_an_error(tmp_path, body, expected):
    with pytest.raises(QzError) as caught:
        qzdsl.load(_reform(tmp_path, body))
    messages = [d for d in caught.value.diagnostics if d.code == "QZ112"]
    assert messages and expected in str(messages[0].message)


def test_a_misquoted_amendment_is_caught_against_the_reforms_own_text(tmp_path):
    path = _reform(tmp_path, 'amend benefit housing_annual_subsidy: 10000 per year, cite "每人每年一万元"\n',
                   "从购房当年起给予每人每年10000元的补贴。")
    with pytest.raises(QzError) as caught:
        qzdsl.load(path)
    assert "QZ301" in {d.code for d in caught.value.diagnostics}


@pytest.mark.parametrize("name", ["annual-10000.qz", "trial-5-years.qz"])
def test_reforms_keep_their_layout(name):
    text = (REFORMS / name).read_text(encoding="utf-8")
    assert format_text(text, name) == text
    assert parse(format_text(text, name), name) == parse(text, name)


# ---- diff ------------------------------------------------------------------------------


def test_diff_of_the_raise_lists_the_amount_and_a_witness_paid_differently(base):
    result = diff(base, qzdsl.load(REFORMS / "annual-10000.qz"))
    assert [c.id for c in result.clauses] == ["housing_annual_subsidy"]
    change = result.clauses[0]
    assert {x.aspect for x in change.changes} == {Aspect.AMOUNT, Aspect.CITATION}
    assert change.impact is Impact.DIFFERS and change.question == "payment"
    assert change.replay.differs
    assert (change.replay.old.amount.low, change.replay.new.amount.low) == (8000, 10000)


def test_diff_of_the_trial_extension_has_a_witness_for_every_changed_clause(base):
    result = diff(base, qzdsl.load(REFORMS / "trial-5-years.qz"))
    housing = {c.id for c in base.clauses if c.section == "二（十）"}
    assert {c.id for c in result.clauses} == housing
    for change in result.clauses:
        assert {x.aspect for x in change.changes} == {Aspect.WINDOW}
        assert change.impact is Impact.DIFFERS, change.id
        assert change.replay.differs, f"{change.id}: the witness must replay with different verdicts"
        assert change.replay.old.status.value == "not_in_force" and change.replay.new.status.value == "granted"


def test_diff_of_the_policy_against_itself_reformatted_is_a_proof_of_no_change(tmp_path, base):
    skip = shutil.ignore_patterns("cases", "tests", "reforms")
    shutil.copytree(ROOT / "policies", tmp_path / "policies", ignore=skip)
    policy = tmp_path / "policies" / "qzf-2023-12" / "policy.qz"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(format_text(text.replace("\n\n", "\n\n\n"), str(policy)), encoding="utf-8")
    result = diff(base, qzdsl.load(policy))
    assert result.proved_same and result.clauses == ()


def test_diff_cli_formats_and_the_ci_gate(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))
    old, new = str(BUNDLED / "policy.qz"), str(REFORMS / "annual-10000.qz")
    code, out, _ = run_main(capsys, monkeypatch, "diff", old, new, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "qzdsl.diff.v1" and data["outcome_changes"]
    witness = data["clauses"][0]["witness"]
    assert witness["replays"] and witness["old"]["text"].startswith("可享受") and "10,000元" in witness["new"]["text"]
    code, _, _ = run_main(capsys, monkeypatch, "diff", old, new, "--fail-on-change")
    assert code == 1
    code, _, _ = run_main(capsys, monkeypatch, "diff", old, old, "--fail-on-change")
    assert code == 0
    for fmt, marker in (("md", "# 政策修订影响"), ("html", "<!DOCTYPE html>"), ("table", "政策修订影响")):
        code, out, _ = run_main(capsys, monkeypatch, "diff", old, new, "-f", fmt)
        assert code == 0 and marker in out and "housing_annual_subsidy" not in out.split("sha256")[-1]


# ---- simulate --reform -----------------------------------------------------------------


def test_simulate_reform_totals_equal_two_separate_runs():
    baseline = qzdsl.load(SQL / "housing.qz")
    reform = qzdsl.load(SQL / "housing-reform.qz")
    population = SQL / "population.csv"
    for as_of in (dt.date(2024, 6, 1), dt.date(2026, 6, 1)):
        both = simulate_reform(baseline, reform, population, as_of)
        before, after = simulate(baseline, population, as_of), simulate(reform, population, as_of)
        assert both.first_year_difference == after.total.first_year - before.total.first_year
        assert both.lifetime_difference == after.total.lifetime - before.total.lifetime
        for phase in ("paid", "due", "projected"):  # the change by period, in total
            assert both.phase_difference(phase) == getattr(after.total, phase) - getattr(before.total, phase)
        for change in both.clauses:
            old = next(c.exposure for c in before.clauses if c.clause.id == change.clause.id)
            new = next(c.exposure for c in after.clauses if c.clause.id == change.clause.id)
            assert (change.baseline.granted, change.reform.granted) == (old.granted, new.granted)
            for phase in ("paid", "due", "projected"):  # and per clause
                assert (getattr(change.baseline, phase), getattr(change.reform, phase)) == \
                    (getattr(old, phase), getattr(new, phase)), (change.clause.id, phase)
        annual = next(c for c in both.clauses if c.clause.id == "purchase_annual")
        assert annual.gain == annual.reform.granted and annual.lose == 0
    # In 2026 the reform's later periods are still to come: the change is projected money.
    assert both.phase_difference("projected") > 0


def test_simulate_reform_command(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))
    args = ["simulate", str(SQL / "population.csv"), "--policy", str(SQL / "housing.qz"),
            "--reform", str(SQL / "housing-reform.qz"), "--as-of", "2024-06-01"]
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "qzdsl.reform.v1" and data["total"]["gain"] >= 1
    for phase in ("paid", "due", "projected"):
        assert data["total"][f"{phase}_difference"] is not None
        assert all(c[phase]["text"] for c in data["clauses"])
    assert data["total"]["phases_text"].startswith("按期划分：往期应发")
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "html")
    assert code == 0 and "<svg" in out and "@page" in out
    assert "预计以后各期变化" in out and data["total"]["phases_text"] in out
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "md", "--lang", "en")
    assert code == 0 and "Change, projected" in out and "by period: owed for past periods" in out
    code, _, err = run_main(capsys, monkeypatch, *args, "-f", "csv")
    assert code == 2


def test_simulate_reform_keeps_own_balance_releases_out_of_the_public_cost(tmp_path, capsys, monkeypatch):
    # A 2026 graduate home-buyer: lengthening the housing trial to 5 years grants the 二（十）
    # package, including the release of the graduate's own rent-subsidy balance, which is
    # no public money: it is reported apart, never in the change in public cost.
    import yaml

    baseline, reform = qzdsl.load(), qzdsl.load(REFORMS / "trial-5-years.qz")
    case = yaml.safe_load((BUNDLED / "cases/homebuyer-after-trial.yaml").read_text(encoding="utf-8"))
    population = tmp_path / "buyers.jsonl"
    population.write_text(json.dumps({"kind": "person", **case["facts"]}, default=str) + "\n", encoding="utf-8")
    as_of = dt.date(2026, 6, 1)
    both = simulate_reform(baseline, reform, population, as_of)
    before, after = simulate(baseline, population, as_of), simulate(reform, population, as_of)
    assert both.first_year_difference == after.total.first_year - before.total.first_year
    assert both.lifetime_difference == after.total.lifetime - before.total.lifetime
    withdrawal = next(c for c in both.clauses if c.clause.id == "graduate_rent_balance_withdrawal")
    assert withdrawal.lifetime_difference == both.own_balance_lifetime_difference > 0
    assert both.own_balance_lifetime_difference == after.own_balance.lifetime - before.own_balance.lifetime
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))
    args = ["simulate", str(population), "--reform", str(REFORMS / "trial-5-years.qz"), "--as-of", "2026-06-01"]
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["own_balance"]["lifetime_difference"] == withdrawal.lifetime_difference
    entry = next(c for c in data["clauses"] if c["id"] == "graduate_rent_balance_withdrawal")
    assert entry["money_kind"] == "own_balance" and not entry["public_money"]
    assert "非财政资金" in entry["lifetime"]["text"]
    code, out, _ = run_main(capsys, monkeypatch, *args)
    assert code == 0 and "申请人自有账户余额的提取（非财政资金，不计入成本）" in out
