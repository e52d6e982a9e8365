"""The evaluator: verdicts, three-valued logic, missing facts, windows, amounts and
schedules, 从优、从高、不重复, and traces — on the fixture policy, then on the bundled one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.model import policy as m
from qzdsl.cases.case import Case, case_from_dict, load_case
from qzdsl.language.compiler import compile_program
from qzdsl.diagnostics import QzError
from qzdsl.backends.evaluator.evaluator import evaluate, missing_facts
from qzdsl.language.loader import check
from qzdsl.backends.evaluator.results import (
    ConditionFailed,
    ExcludedBy,
    KeptAlongside,
    OutOfWindow,
    ScheduleCut,
    Status,
)
from qzdsl.backends.evaluator.schedule import payout

ROOT = Path(__file__).resolve().parents[3]
EVAL = ROOT / "tests/fixtures/eval"
BUNDLED_CASES = ROOT / "policies/qzf-2023-12/cases"
EXPECTED = yaml.safe_load((EVAL / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy() -> m.Policy:
    return qzdsl.load(EVAL / "policy.qz")


def decide(policy, name: str, as_of: dt.date | None = None):
    return evaluate(policy, load_case(EVAL / "cases" / name, policy), as_of=as_of)


def _money(value):
    return None if value is None else Decimal(value)


# ---- the example cases -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_case_evaluates_to_its_expected_verdicts(name, policy):
    decision = decide(policy, name)
    for clause_id, expected in EXPECTED[name].items():
        result = decision.result(clause_id)
        got = {"status": result.status.value, "excluded_by": result.excluded_by,
               "missing": list(result.missing_facts)}
        paid = result.amount
        if paid is not None:
            got |= {"per_period": [paid.low, paid.high], "periods": paid.count,
                    "total": None if paid.open_ended else [paid.total_low, paid.total_high],
                    "first": paid.first, "dropped": paid.dropped}
        want = dict(expected)
        for key in ("per_period", "total"):
            if key in want:
                want[key] = [_money(v) for v in want[key]]
        assert {k: got.get(k) for k in want} == want, clause_id


def test_only_the_clauses_of_the_applicants_kind_are_evaluated(policy):
    decision = decide(policy, "startup.yaml")
    assert [r.clause.id for r in decision.results] == ["startup_guarantee"]


def test_results_follow_declaration_order(policy):
    decision = decide(policy, "homebuyer.yaml")
    assert [r.clause.order for r in decision.results] == sorted(r.clause.order for r in decision.results)


# ---- three-valued logic ------------------------------------------------------------------


def test_false_and_unknown_is_false(policy):
    # works_here is false; whether the applicant is a recent graduate is unknown.
    decision = evaluate(policy, case_from_dict({"kind": "person", "as_of": "2024-03-01",
                                                "facts": {"works_here": False}}, policy))
    result = decision.result("graduate_grant")
    assert result.status is Status.INELIGIBLE
    assert result.missing_facts == ()
    assert [r.node.text for r in result.reasons if isinstance(r, ConditionFailed)] == ["works_here"]


def test_true_or_unknown_is_true(policy):
    # recent_graduate = (is_graduate and …) or via partner_equal: partner_school decides it.
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "partner_school": True}}, policy)
    result = evaluate(policy, case).result("graduate_grant")
    assert result.status is Status.GRANTED
    definition = result.trace.children[0].children[0]
    assert definition.op == "or" and definition.value is True
    assert [c.value for c in definition.children] == [None, True]


def test_missing_facts_are_exactly_the_ones_that_matter(policy):
    decision = decide(policy, "missing-facts.yaml")
    # works_here and no_home are known and true: they are never asked.
    assert decision.result("rent_subsidy").missing_facts == ("move_in_date", "employer")
    assert decision.result("graduate_grant").missing_facts == ("is_graduate", "graduation_date", "partner_school")
    assert decision.questions == ("is_graduate", "graduation_date", "partner_school", "is_veteran", "move_in_date",
                                  "employer", "family_members", "purchase_date", "bought_home")


def test_a_decided_sibling_masks_unknown_facts(policy):
    # is_graduate is false, so graduation_date no longer matters; partner_school still does.
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "is_graduate": False}}, policy)
    assert evaluate(policy, case).result("graduate_grant").missing_facts == ("partner_school",)


def _strategy(fact: m.Fact):
    match fact.type:
        case m.Type.BOOL:
            return st.booleans()
        case m.Type.COUNT:
            return st.integers(0, 12)
        case m.Type.MONEY:
            return st.integers(0, 50_000).map(Decimal)
        case m.Type.DATE:
            return st.dates(dt.date(2019, 1, 1), dt.date(2027, 12, 31))
    return st.sampled_from([x.name for x in fact.members])


@st.composite
def partial_and_complete(draw, policy: m.Policy, kind: str):
    """A full set of facts of `kind`, and the subset of it a case knows."""
    facts = {name: f for name, f in policy.facts.items() if kind in f.kinds}
    complete = {name: draw(_strategy(f)) for name, f in facts.items()}
    known = draw(st.sets(st.sampled_from(sorted(facts))))
    return {k: v for k, v in complete.items() if k in known}, complete


def _check_monotone(policy: m.Policy, kind: str, facts, as_of: dt.date) -> None:
    partial, complete = facts
    before = evaluate(policy, Case(kind, partial), as_of)
    after = evaluate(policy, Case(kind, complete), as_of)
    for early, late in zip(before.results, after.results):
        if early.trace.value is not None:
            assert late.trace.value == early.trace.value, early.clause.id
        else:
            unasked = {k: v for k, v in complete.items() if k in partial or k not in missing_facts(early.trace)}
            still = evaluate(policy, Case(kind, unasked), as_of).result(early.clause.id)
            assert still.trace.value is None, early.clause.id


@settings(max_examples=100, deadline=None)
@given(data=st.data(), as_of=st.dates(dt.date(2023, 1, 1), dt.date(2026, 6, 30)))
def test_knowing_more_never_changes_a_known_value(policy, bundled, data, as_of):
    """Kleene logic is monotone: a requirement decided on part of the facts keeps its value
    whatever the unknown facts turn out to be; and filling in facts that are not listed as
    missing cannot decide an undecided requirement. On both policies, for persons."""
    for subject in (policy, bundled):
        _check_monotone(subject, "person", data.draw(partial_and_complete(subject, "person")), as_of)


# ---- windows -------------------------------------------------------------------------------


def test_after_a_trial_read_as_stop_the_clauses_are_not_in_force_citing_the_provision(policy):
    decision = decide(policy, "after-trial.yaml")
    for clause_id in ("home_annual", "home_grant"):
        result = decision.result(clause_id)
        assert result.status is Status.NOT_IN_FORCE
        (reason,) = result.reasons
        assert isinstance(reason, OutOfWindow) and reason.which == "stopped"
        assert reason.window.end == dt.date(2024, 12, 31)
        assert reason.window.provision.quote == "其中安居补贴政策试行2年"


def test_an_entitlement_date_before_the_policy_applies_is_not_in_force(policy):
    result = decide(policy, "before-window.yaml").result("home_grant")
    assert result.status is Status.NOT_IN_FORCE
    assert result.reasons == (OutOfWindow("before", dt.date(2022, 12, 1), result.clause.window),)


def test_a_failed_requirement_is_ineligible_even_when_the_anchor_date_is_missing(policy):
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "no_home": False}}, policy)
    result = evaluate(policy, case).result("rent_subsidy")
    assert result.status is Status.INELIGIBLE
    assert result.missing_facts == ()
    assert any(isinstance(r, ConditionFailed) and r.node.text == "no_home" for r in result.reasons)


def test_a_missing_anchor_date_leaves_a_possible_clause_undetermined(policy):
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "no_home": True}}, policy)
    result = evaluate(policy, case).result("rent_subsidy")
    assert result.status is Status.UNDETERMINED
    assert "move_in_date" in result.missing_facts


def _policy_reading(after_trial: str) -> m.Policy:
    path = EVAL / "policy.qz"
    text = path.read_text(encoding="utf-8").replace("after_trial stop", f"after_trial {after_trial}")
    result = check(path, text)
    assert result.ok
    return compile_program(result.program)


def test_reading_continue_keeps_paying_grants_started_inside_the_trial():
    policy = _policy_reading("continue")
    decision = decide(policy, "after-trial.yaml")
    annual = decision.result("home_annual")
    assert annual.status is Status.GRANTED
    assert [p.start for p in annual.amount.periods] == [dt.date(y, 1, 1) for y in range(2024, 2029)]
    assert annual.amount.dropped == 0 and annual.amount.cut_at is None


def test_reading_continue_still_refuses_a_purchase_after_the_trial():
    policy = _policy_reading("continue")
    case = case_from_dict({"kind": "person", "as_of": "2025-06-01",
                           "facts": {"works_here": True, "no_home": True, "bought_home": True,
                                     "purchase_date": "2025-02-01"}}, policy)
    result = evaluate(policy, case).result("home_grant")
    assert result.status is Status.NOT_IN_FORCE
    assert result.reasons[0].which == "after"


def test_a_schedule_is_cut_at_the_end_of_a_trial_read_as_stop(policy):
    result = decide(policy, "homebuyer.yaml").result("home_annual")
    assert [p.start for p in result.amount.periods] == [dt.date(2024, 1, 1)]
    assert ScheduleCut(4, result.clause.window) in result.reasons


# ---- amounts and schedules -------------------------------------------------------------------


def test_per_head_amount_is_capped_per_period(policy):
    result = decide(policy, "graduate-renter.yaml").result("living_subsidy")
    assert result.amount.heads == 4
    assert [(p.start, p.end, p.high) for p in result.amount.periods] == [
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31), Decimal(3000)),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), Decimal(3000)),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), Decimal(3000)),
    ]


def test_monthly_schedule_is_dated_from_the_anchor(policy):
    periods = decide(policy, "graduate-renter.yaml").result("rent_subsidy").amount.periods
    assert len(periods) == 12
    assert (periods[0].start, periods[0].end) == (dt.date(2023, 9, 15), dt.date(2023, 10, 14))
    assert (periods[-1].start, periods[-1].end) == (dt.date(2024, 8, 15), dt.date(2024, 9, 14))


def test_a_missing_head_count_leaves_a_met_requirement_undetermined(policy):
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "no_home": True, "move_in_date": "2023-05-01"}}, policy)
    result = evaluate(policy, case).result("living_subsidy")
    assert result.status is Status.UNDETERMINED
    assert result.missing_facts == ("family_members",)


def test_open_ended_recurring_amount_lists_one_period_and_counts_it_once(policy):
    decision = decide(policy, "mentor.yaml")
    paid = decision.result("mentor_subsidy").amount
    assert paid.open_ended and paid.total_high is None and len(paid.periods) == 1
    assert paid.value == Decimal(8000)
    assert decision.totals.open_ended == 1 and decision.totals.value == Decimal(8000)


WINDOW = m.Window(start=dt.date(2023, 1, 1))


def _clause(spec: m.AmountSpec, window: m.Window = WINDOW) -> m.Clause:
    return m.Clause("c", m.ClauseKind.BENEFIT, "补贴", "测试", "一", "一", "", "person",
                    m.Const(True, m.Type.BOOL), spec, window, 0)


def test_total_cap_is_used_up_period_by_period():
    spec = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(5000), cadence="years", cap=Decimal(12000),
                        cap_scope="total", max_periods=3, anchor="start")
    paid = payout(_clause(spec), None, dt.date(2023, 3, 1))
    assert [p.high for p in paid.periods] == [Decimal(5000), Decimal(5000), Decimal(2000)]
    assert (paid.total_low, paid.total_high) == (Decimal(12000), Decimal(12000))


def test_monthly_periods_clamp_to_month_ends():
    spec = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100), cadence="months", max_periods=3, anchor="start")
    paid = payout(_clause(spec), None, dt.date(2024, 1, 31))
    assert [(p.start, p.end) for p in paid.periods] == [
        (dt.date(2024, 1, 31), dt.date(2024, 2, 28)),
        (dt.date(2024, 2, 29), dt.date(2024, 3, 30)),
        (dt.date(2024, 3, 31), dt.date(2024, 4, 29)),
    ]


def test_undated_schedule_without_an_anchor():
    spec = m.AmountSpec(m.AmountKind.RANGE, low=Decimal(10), high=Decimal(30), cadence="years", max_periods=2)
    paid = payout(_clause(spec), 3, None)
    assert [(p.start, p.low, p.high) for p in paid.periods] == [(None, Decimal(30), Decimal(90))] * 2
    assert (paid.total_low, paid.total_high, paid.value) == (Decimal(60), Decimal(180), Decimal(180))


def test_non_monetary_and_rule_amounts_have_no_payout():
    assert payout(_clause(m.AmountSpec(m.AmountKind.NONE)), None, None) is None
    assert payout(_clause(m.AmountSpec(m.AmountKind.RULE, rule="按规定")), None, None) is None


# ---- 从优、从高、不重复 ----------------------------------------------------------------------


def test_equal_amounts_go_to_the_clause_declared_first_and_the_tie_is_recorded(policy):
    result = decide(policy, "graduate-renter.yaml").result("veteran_grant")
    assert result.status is Status.EXCLUDED and result.excluded_by == "graduate_grant"
    assert ExcludedBy("graduate_grant", Decimal(3000), Decimal(3000), tie=True) in result.reasons


def test_the_higher_amount_wins_an_exclusion(policy):
    result = decide(policy, "homebuyer.yaml").result("rent_subsidy")
    assert result.reasons[-1] == ExcludedBy("home_grant", Decimal(6000), Decimal(20000), tie=False)


def test_stackable_clauses_are_all_kept(policy):
    decision = decide(policy, "graduate-renter.yaml")
    assert decision.result("rent_subsidy").status is Status.GRANTED
    assert KeptAlongside(("living_subsidy",)) in decision.result("rent_subsidy").reasons
    assert KeptAlongside(("rent_subsidy",)) in decision.result("living_subsidy").reasons


def test_totals_sum_what_is_paid(policy):
    totals = decide(policy, "homebuyer.yaml").totals
    # 20,000 + 6,000 + up to 6,000 (nothing of the ceiling guaranteed); the rent subsidy lost.
    assert (totals.low, totals.high, totals.value, totals.granted) == (
        Decimal(26000), Decimal(32000), Decimal(32000), 3)


# ---- traces and decisions ----------------------------------------------------------------------


def test_trace_expands_definitions_and_shows_equivalences(policy):
    case = case_from_dict({"kind": "person", "as_of": "2024-03-01",
                           "facts": {"works_here": True, "partner_school": True}}, policy)
    trace = evaluate(policy, case).result("graduate_grant").trace
    definition = trace.children[0]
    assert (definition.op, definition.name, definition.label, definition.value) == (
        "def", "recent_graduate", "近两年高校毕业生", True)
    via = definition.children[0].children[1]
    assert (via.op, via.name, via.label) == ("via", "partner_equal", "合作院校毕业生同等待遇")
    assert via.children[0].facts() == ("partner_school",)


def test_trace_shows_values_used_by_comparisons(policy):
    trace = decide(policy, "graduate-renter.yaml").result("graduate_grant").trace
    comparison = trace.children[0].children[0].children[0].children[1]
    assert comparison.op == "cmp" and comparison.value is True
    as_of, shifted = comparison.children
    assert (as_of.value, shifted.value) == (dt.date(2024, 3, 1), dt.date(2025, 6, 30))


def test_as_of_argument_overrides_the_case(policy):
    decision = decide(policy, "homebuyer.yaml", as_of=dt.date(2025, 1, 2))
    assert decision.as_of == dt.date(2025, 1, 2)
    assert decision.result("home_grant").status is Status.NOT_IN_FORCE


def test_decision_id_is_deterministic_and_tracks_the_inputs(policy):
    case = load_case(EVAL / "cases/homebuyer.yaml", policy)
    first, again = evaluate(policy, case), evaluate(policy, case)
    assert first.id == again.id and len(first.id) == 16
    assert evaluate(policy, case, as_of=dt.date(2024, 8, 2)).id != first.id
    other = dataclasses.replace(case, facts={**case.facts, "family_members": 3})
    assert evaluate(policy, other).id != first.id


def test_trace_nodes_are_immutable_and_compare_without_their_expression(policy):
    trace = decide(policy, "graduate-renter.yaml").result("graduate_grant").trace
    with pytest.raises(AttributeError):
        trace.value = False
    twin = trace._replace(expr=None)
    assert twin == trace and hash(twin) == hash(trace) and not twin != trace
    assert twin != trace._replace(value=not trace.value)
    assert "expr" not in repr(trace) and repr(twin) == repr(trace)


def test_the_compiled_policy_lives_as_long_as_the_policy(policy):
    """Each policy object is compiled once for the evaluator; a new object (another
    version of the policy) gets its own compilation, and a dropped one frees it."""
    import gc
    import pickle
    import weakref

    from qzdsl.backends.evaluator import evaluator
    from qzdsl.model.derived import cached

    case = load_case(EVAL / "cases/homebuyer.yaml", policy)
    evaluate(policy, case)
    compiled = evaluator._plan(policy)
    assert evaluator._plan(policy) is compiled
    twin = pickle.loads(pickle.dumps(policy))
    assert evaluate(twin, case).results == evaluate(policy, case).results
    assert evaluator._plan(twin) is not compiled and evaluator._Plan in cached(twin)
    dropped = weakref.ref(twin)
    del twin
    gc.collect()
    assert dropped() is None and evaluator._Plan in cached(policy)


def test_a_hand_built_case_of_an_unknown_kind_is_refused(policy):
    with pytest.raises(QzError) as caught:
        evaluate(policy, Case("persn", {}))
    assert caught.value.diagnostics[0].code == "QZ405"


# ---- the bundled policy ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> m.Policy:
    return qzdsl.load()


@pytest.mark.parametrize("path", sorted(BUNDLED_CASES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_case_evaluates(path, bundled):
    decision = evaluate(bundled, load_case(path, bundled))
    assert decision.results
    assert all(r.status is not Status.UNDETERMINED or r.missing_facts for r in decision.results)


HOUSING = ("home_purchase_grant", "housing_annual_subsidy", "pf_topup_subsidy")


def test_bundled_graduate_homebuyer_receives_the_housing_package(bundled):
    decision = evaluate(bundled, load_case(BUNDLED_CASES / "graduate-homebuyer.yaml", bundled))
    for clause_id in HOUSING:
        assert decision.result(clause_id).status is Status.GRANTED, clause_id
    annual = decision.result("housing_annual_subsidy").amount
    assert annual.first == dt.date(2024, 1, 1) and annual.count == 10 and annual.total_high == Decimal(80000)


def test_bundled_purchase_after_the_housing_trial_is_not_in_force(bundled):
    decision = evaluate(bundled, load_case(BUNDLED_CASES / "homebuyer-after-trial.yaml", bundled))
    for clause_id in HOUSING:
        result = decision.result(clause_id)
        assert result.status is Status.NOT_IN_FORCE, clause_id
        (reason,) = result.reasons
        assert reason.which == "after"
        assert "试行3年" in reason.window.provision.quote


def test_bundled_homebuyer_with_missing_facts_is_asked_about_them(bundled):
    decision = evaluate(bundled, load_case(BUNDLED_CASES / "homebuyer-missing-facts.yaml", bundled))
    result = decision.result("home_purchase_grant")
    assert result.status is Status.UNDETERMINED
    assert "no_home_in_quzhou" in result.missing_facts
    assert "employment" not in result.missing_facts  # known: 在非公企业就业


def test_an_entitlement_amount_is_not_cash_in_the_totals():
    # 二（七）: a loan guarantee of 10—30万元 is granted, not paid: it sizes the entitlement
    # but counts in no total.
    bundled = qzdsl.load()
    case = qzdsl.load_case(BUNDLED_CASES / "rural-entrepreneur.yaml", bundled)
    decision = qzdsl.evaluate(bundled, case)
    guarantee = decision.result("startup_guarantee")
    assert guarantee.status is Status.GRANTED
    assert (guarantee.amount.low, guarantee.amount.high) == (100000, 300000)
    # The one cash amount is the existing 创业补贴 the caseworker entered (5000).
    assert decision.result("startup_subsidy").amount.total_low == 5000
    assert decision.totals.low == 5000 and decision.totals.high == 5000
