"""The z3 encoding is exact where the evaluator is: calendar shifts agree with
`dates.shift` (month ends, 29 February), date order with the calendar's, and wishes never
change an answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.backends.audit.smt import FIRST_DAY, LAST_DAY, Date, Decider, Translator, Wishes
from qzdsl.model.dates import shift

ROOT = Path(__file__).resolve().parents[3]
DATES = st.dates(min_value=dt.date(1905, 1, 1), max_value=dt.date(2095, 12, 31))


@pytest.fixture(scope="module")
def translator():
    return Translator(qzdsl.load(ROOT / "tests/fixtures/audit/policy.qz"))


def _value_of_shift(translator: Translator, date: dt.date, amount: int, unit: str) -> dt.date | None:
    """The shifted date z3 computes (None when the encoding finds it out of range)."""
    translator._using = set()
    term = translator._shift(Date.constant(date, translator.ctx), amount, unit)
    solver = z3.Solver(ctx=translator.ctx)
    solver.add(*[translator._sides[i] for i in translator._using])
    if solver.check() != z3.sat:
        return None
    return term.value(solver.model())


EDGES = [
    (dt.date(2024, 2, 29), 1, "years", dt.date(2025, 2, 28)),
    (dt.date(2024, 2, 29), 4, "years", dt.date(2028, 2, 29)),
    (dt.date(2024, 1, 31), 1, "months", dt.date(2024, 2, 29)),
    (dt.date(2023, 1, 31), 1, "months", dt.date(2023, 2, 28)),
    (dt.date(2023, 12, 31), 2, "months", dt.date(2024, 2, 29)),
    (dt.date(2023, 3, 31), -1, "months", dt.date(2023, 2, 28)),
    (dt.date(2000, 2, 29), -1, "years", dt.date(1999, 2, 28)),
    (dt.date(2024, 12, 31), -366, "days", dt.date(2023, 12, 31)),
]


@pytest.mark.parametrize("date, amount, unit, expected", EDGES, ids=lambda x: str(x))
def test_calendar_edges(translator, date, amount, unit, expected):
    assert shift(date, amount, unit) == expected
    assert _value_of_shift(translator, date, amount, unit) == expected


@settings(max_examples=150, deadline=None)
@given(date=DATES, amount=st.integers(-40, 40), unit=st.sampled_from(["years", "months", "days"]))
def test_shift_agrees_with_the_evaluator(translator, date, amount, unit):
    expected = shift(date, amount, unit)
    in_range = FIRST_DAY <= expected <= LAST_DAY
    assert _value_of_shift(translator, date, amount, unit) == (expected if in_range else None)


@settings(max_examples=150, deadline=None)
@given(a=DATES, b=DATES)
def test_date_keys_order_dates_like_the_calendar(translator, a, b):
    left, right = Date.constant(a, translator.ctx).key, Date.constant(b, translator.ctx).key
    assert z3.is_true(z3.simplify(left < right)) == (a < b)
    assert z3.is_true(z3.simplify(left == right)) == (a == b)


def test_a_date_variable_takes_only_real_dates(translator):
    date = Date.variable("probe", translator.ctx)
    solver = z3.Solver(ctx=translator.ctx)
    solver.add(date.valid(), date.month == 2, date.day == 29, date.year == 2023)
    assert solver.check() == z3.unsat
    solver = z3.Solver(ctx=translator.ctx)
    solver.add(date.valid(), date.month == 2, date.day == 29, date.year == 2024)
    assert solver.check() == z3.sat


@pytest.mark.parametrize("year", [2023, 2024, 1904, 2100 - 1])
def test_a_date_is_valid_up_to_its_months_last_day_and_no_further(translator, year):
    # `valid` states the month's length as implications (cheaper for z3 than the
    # if-then-else term); it must allow exactly the calendar's days.
    date = Date.variable("probe_len", translator.ctx)
    for month in range(1, 13):
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        for day, allowed in ((last, True), (last + 1, False)):
            solver = z3.Solver(ctx=translator.ctx)
            solver.add(date.valid(), date.year == year, date.month == month, date.day == day)
            assert (solver.check() == z3.sat) is allowed, (year, month, day)


def test_wishes_asked_together_are_the_wishes_of_every_group(translator):
    # The first question asks all wishes at once in a cheaper form (as-of pinned to its
    # wished date, dates bounded by constants): it must be the same condition.
    policy = translator.policy
    formulas = tuple(translator.clause(policy.clause(c)) for c in ("purchase_grant", "purchase_grant_2022"))
    wishes = translator.wishes(formulas, dt.date(2023, 7, 1))
    groups = z3.And(*[w for group in wishes.groups for w in group])
    together = z3.And(*wishes.together)
    solver = z3.Solver(ctx=translator.ctx)
    solver.add(translator.as_of.valid(), *[f.support for f in formulas], groups != together)
    assert solver.check() == z3.unsat
    alone = formulas[:1]  # the pair is disjoint; the first clause alone keeps every wish
    wishes = translator.wishes(alone, dt.date(2023, 7, 1))
    outcome = Decider(translator).decide(alone, wishes=wishes)
    assert outcome.sat is True
    assert all(z3.is_true(outcome.model.eval(w, model_completion=True)) for group in wishes.groups for w in group)


def test_wishes_never_change_the_answer(translator):
    policy = translator.policy
    decider = Decider(translator)
    a, b = policy.clause("purchase_grant"), policy.clause("purchase_grant_2022")
    formulas = (translator.clause(a), translator.clause(b))
    impossible_wish = Wishes(((z3.BoolVal(False, translator.ctx),),))
    assert decider.decide(formulas, wishes=impossible_wish).sat is False
    grant = (translator.clause(a),)
    outcome = decider.decide(grant, wishes=impossible_wish)
    assert outcome.sat is True and outcome.model is not None


def test_unknown_facts_are_free(translator):
    # Nothing in the fixture fixes `employer_prepaid_rent`; the grant with the advance
    # needs it above 2万, and z3 finds such an applicant.
    policy = translator.policy
    decider = Decider(translator)
    outcome = decider.decide((translator.clause(policy.clause("employer_rent_advance")),), model=True)
    assert outcome.sat is True
    rent = outcome.model.eval(translator.vars["employer_prepaid_rent"], model_completion=True).as_long()
    assert rent > 20000


def test_an_equivalence_extends_a_definition_for_its_own_beneficiaries_only():
    # 创业成长型园区 (park) 同等享受 the incubation subsidy: for an incubator the park's
    # equivalence is false, so its facts never enter an incubator's formula or witness.
    policy = qzdsl.load()
    translator = Translator(policy)
    incubator = translator.clause(policy.clause("incubation_subsidies"))
    park = translator.clause(policy.clause("growth_park_incubation_equal"))
    assert incubator.facts == ("recognised_incubator",)
    assert park.facts == ("growth_park_with_results",)
    solver = z3.Solver(ctx=translator.ctx)
    solver.add(incubator.body, incubator.support, z3.Not(translator.vars["recognised_incubator"]))
    assert solver.check() == z3.unsat


def test_a_once_only_clause_is_never_granted_after_the_history_fact():
    # 再安置一次: no applicant who was already resettled through a 公益性岗位 can be granted
    # the resettlement; one who was not can.
    policy = qzdsl.load()
    translator = Translator(policy)
    clause = policy.clause("public_welfare_post_resettlement")
    encoded = translator.clause(clause)
    assert clause.once_only in encoded.facts
    history = translator.vars[clause.once_only]
    for already, expected in ((True, z3.unsat), (False, z3.sat)):
        solver = z3.Solver(ctx=translator.ctx)
        solver.add(encoded.body, encoded.support, history if already else z3.Not(history))
        assert solver.check() == expected
