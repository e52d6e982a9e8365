"""Schedules judged period by period on facts that change over time: head counts, rates
and open-ended schedules, beside the continuing conditions (docs/language.md, "Conditions
over time"); and the same results as the as-of snapshot when the facts never change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.backends.evaluator.results import ContinuingStopped, PeriodsUndetermined
from qzdsl.cases.case import Case, case_from_dict, load_case
from qzdsl.model.policy import PeriodState, Status

ROOT = Path(__file__).resolve().parents[3]
BUNDLED_CASES = sorted((ROOT / "policies/qzf-2023-12/cases").glob("*.yaml"))

POLICY = '''
policy "测试〔2024〕2号":
    title "测试市随时间变化的事实",
    applies_from 2023-01-01

kind person "个人"

fact works_here "在本市就业": bool, of person
fact family_members "家庭人口": count, of person
fact allowance_rate "核定的月补助标准": money, of person
fact start_date "起始日期": date, of person
fact chose_lump "选择一次性补助": bool, of person

group living_support "生活补助"

section "一" "补贴"

benefit lump "一次性生活补助":
    1000 once,
    to person,
    requires chose_lump,
    group living_support,
    note "与按月的生活补助同属一组"

benefit allowance "生活补助":
    100 per month per head of family_members,
    from start_date,
    to person,
    requires works_here,
    while works_here,
    group living_support,
    note "无期限，按月发放"

benefit topup "补助":
    amount of allowance_rate per month,
    max 6 months,
    from start_date,
    to person,
    requires works_here,
    note "按核定标准"
'''


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> qzdsl.Policy:
    path = tmp_path_factory.mktemp("over-time") / "policy.qz"
    path.write_text(POLICY, encoding="utf-8")
    return qzdsl.load(path)


def _decide(policy, facts: dict, as_of: str):
    case = case_from_dict({"kind": "person", "as_of": as_of, "facts": {"start_date": "2024-01-01", **facts}}, policy)
    return evaluate(policy, case)


def test_a_head_count_is_read_period_by_period(small):
    decision = _decide(small, {"works_here": True, "family_members": {"2024-01-01": 2, "2024-03-10": 3},
                               "allowance_rate": 500}, "2024-04-15")
    result = decision.result("allowance")
    # January, February: 2 heads; March: 2, then 3 from the 10th (a range); April on: 3.
    assert [(p.low, p.high) for p in result.amount.periods[:4]] == [
        (Decimal(200), Decimal(200)), (Decimal(200), Decimal(200)), (Decimal(200), Decimal(300)),
        (Decimal(300), Decimal(300))]
    assert result.amount.amounts is not None and result.amount.heads is None
    line = result.timeline
    assert (line.paid, line.due) == ((Decimal(600), Decimal(700)), (Decimal(300), Decimal(300)))
    # Open-ended, still working: no end, later periods as they fall due.
    assert line.future is None and line.tail is PeriodState.PROJECTED
    assert decision.totals.open_ended == 1


def test_an_open_ended_schedule_stopped_for_good_has_a_total(small):
    decision = _decide(small, {"works_here": {"2024-01-01": True, "2024-07-01": False}, "family_members": 2,
                               "allowance_rate": 500}, "2024-10-15")
    result = decision.result("allowance")
    assert result.status is Status.GRANTED
    line = result.timeline
    # January to June paid at 2 × 100; stopped from July, for good: the schedule has ended.
    assert line.paid == (Decimal(1200), Decimal(1200)) and line.projected == (Decimal(0), Decimal(0))
    assert line.tail is PeriodState.STOPPED and line.future == 1 and line.stopped_from == dt.date(2024, 7, 1)
    assert any(isinstance(r, ContinuingStopped) for r in result.reasons)
    totals = decision.totals
    assert totals.open_ended == 0 and totals.monetary == 2
    # The six months of the rate fact (500) plus the 1,200.
    assert (totals.low, totals.high) == (Decimal(4200), Decimal(4200))


def test_most_favourable_compares_what_each_pays_under_the_facts(small):
    """从优: the open-ended allowance counts one period (200) while it has no end, and what
    it paid (1,200) once it stopped for good: it then beats the one-off 1,000."""
    going = _decide(small, {"works_here": True, "family_members": {"2024-01-01": 2}, "allowance_rate": 500,
                            "chose_lump": True}, "2024-10-15")
    assert going.result("allowance").excluded_by == "lump"
    stopped = _decide(small, {"works_here": {"2024-01-01": True, "2024-07-01": False},
                              "family_members": {"2024-01-01": 2}, "allowance_rate": 500, "chose_lump": True},
                     "2024-10-15")
    assert stopped.result("allowance").status is Status.GRANTED
    assert stopped.result("lump").excluded_by == "allowance"
    reason = stopped.result("lump").reasons[-1]
    assert (reason.value, reason.winner_value) == (Decimal(1000), Decimal(1200))


def test_a_rate_fact_is_read_period_by_period(small):
    decision = _decide(small, {"works_here": True, "family_members": 1,
                               "allowance_rate": {"2024-01-01": 500, "2024-04-01": 600}}, "2024-10-15")
    result = decision.result("topup")
    assert [p.high for p in result.amount.periods] == [Decimal(500)] * 3 + [Decimal(600)] * 3
    assert (result.amount.total_low, result.amount.total_high) == (Decimal(3300), Decimal(3300))
    assert result.timeline.paid == (Decimal(3300), Decimal(3300))


def test_a_period_whose_count_is_not_given_is_undetermined_and_not_paid(small):
    decision = _decide(small, {"works_here": True, "family_members": {"2024-03-01": 2}, "allowance_rate": 500},
                       "2024-04-15")
    result = decision.result("allowance")
    assert result.status is Status.GRANTED
    assert result.timeline.states[:2] == (PeriodState.UNDETERMINED,) * 2
    assert result.timeline.paid == (Decimal(200), Decimal(200))
    reason = next(r for r in result.reasons if isinstance(r, PeriodsUndetermined))
    assert reason.count == 2 and reason.facts == ("family_members",)


def test_a_rate_known_in_no_period_leaves_the_clause_undetermined(small):
    decision = _decide(small, {"works_here": True, "family_members": 2, "allowance_rate": {"2030-01-01": 500}},
                       "2024-04-15")
    result = decision.result("topup")
    assert result.status is Status.UNDETERMINED and result.missing_facts == ("allowance_rate",)


def test_an_open_ended_schedule_is_judged_up_to_the_last_change(small):
    # The count is given from 2030 on only: the 72 months before are undetermined, never
    # paid; from 2030 the schedule goes on.
    decision = _decide(small, {"works_here": True, "family_members": {"2030-01-01": 2}, "allowance_rate": 500},
                       "2024-04-15")
    result = decision.result("allowance")
    assert result.status is Status.GRANTED
    line = result.timeline
    assert line.undetermined == 72 and line.tail is PeriodState.PROJECTED and line.future is None
    assert line.paid == line.due == (Decimal(0), Decimal(0))
    assert result.amount.periods[72].start == dt.date(2030, 1, 1) and result.amount.periods[72].high == 200


def test_the_bundled_hiring_subsidy_counts_each_years_hires():
    policy = qzdsl.load()
    case = load_case(ROOT / "policies/qzf-2023-12/cases/startup-enterprise.yaml", policy)
    case = Case(case.kind, {k: v for k, v in case.facts.items() if k != "insured_hires"}, dt.date(2025, 6, 1),
                case.name, case.path, {"insured_hires": ((dt.date(2024, 3, 1), 12), (dt.date(2025, 3, 1), 8),
                                                         (dt.date(2026, 3, 1), 4))})
    line = evaluate(policy, case).result("startup_hiring_subsidy").timeline
    assert (line.paid[1], line.due[1], line.projected[1]) == (Decimal(50000), Decimal(40000), Decimal(20000))


# ---- on as-of snapshots, nothing changes -------------------------------------------------------


def _summary(decision):
    return [(r.clause.id, r.status, r.excluded_by, r.missing_facts, r.amount and (r.amount.low, r.amount.high,
             r.amount.count, r.amount.total_low, r.amount.total_high),
             r.timeline and (r.timeline.paid, r.timeline.due, r.timeline.projected, r.timeline.future))
            for r in decision.results] + [decision.totals]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(BUNDLED_CASES) - 1), as_of=st.dates(dt.date(2022, 6, 1), dt.date(2036, 12, 31)),
       which=st.sets(st.sampled_from(["insured_hires", "family_members_in_quzhou", "employment",
                                      "employer_pf_monthly", "works_in_quzhou", "rents_in_quzhou",
                                      "dispatched_worker_months", "low_income"])))
def test_facts_given_over_time_but_never_changing_judge_as_the_snapshot(index, as_of, which):
    """The evaluator's period-by-period judgement equals the as-of judgement the SQL back
    end and the audit make (docs/scale.md) when no fact actually changes."""
    policy = qzdsl.load()
    case = load_case(BUNDLED_CASES[index], policy)
    if case.changes:
        return
    moved = {name: ((dt.date(1900, 1, 1), case.facts[name]),) for name in which if name in case.facts}
    dated = Case(case.kind, {k: v for k, v in case.facts.items() if k not in moved}, case.as_of, case.name,
                 case.path, moved)
    assert _summary(evaluate(policy, dated, as_of)) == _summary(evaluate(policy, case, as_of))
