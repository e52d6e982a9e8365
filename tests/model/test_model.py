"""The compiled model states the rules every back end shares: what a clause pays, its caps,
when its window stops, whom an equivalence serves, its section key; one walk over
definitions; one way to dispatch on expression nodes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.audit import graph
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql import query as sqlgen
from qzdsl.model import policy as m

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BOOL = m.Type.BOOL


def fact(name: str) -> m.FactRef:
    return m.FactRef(name, BOOL, name)


def ref(name: str) -> m.DefRef:
    return m.DefRef(name, BOOL, name)


# ---- one walk over definitions ------------------------------------------------------------

DEFINITIONS = {
    "eligible": m.Or((m.And((fact("graduate"), ref("local"))),
                      m.Via("park_equal", "park", m.And((fact("is_park"), ref("audited")))))),
    "local": m.Or((fact("hukou"), ref("works_here"))),
    "works_here": fact("insured"),
    "audited": fact("audit_passed"),
}


def test_reach_enters_each_definition_once_in_the_order_it_is_first_used():
    nodes = list(m.reach((m.And((ref("local"), ref("eligible"))),), DEFINITIONS.get))
    assert m.definitions_reached(nodes) == ("local", "works_here", "eligible", "audited")
    assert m.facts_reached(nodes) == ("hukou", "insured", "graduate", "is_park", "audit_passed")
    owners = {node.name: owner for node, owner in nodes if isinstance(node, m.FactRef)}
    assert owners == {"hukou": "local", "insured": "works_here", "graduate": "eligible", "is_park": "eligible",
                      "audit_passed": "audited"}


def test_reach_for_a_kind_skips_equivalences_for_other_kinds():
    for_person = list(m.reach((ref("eligible"),), DEFINITIONS.get, "person"))
    assert m.facts_reached(for_person) == ("graduate", "hukou", "insured")
    assert "audited" not in m.definitions_reached(for_person)
    for_park = list(m.reach((ref("eligible"),), DEFINITIONS.get, "park"))
    assert m.facts_reached(for_park)[-2:] == ("is_park", "audit_passed")


def test_an_equivalence_serves_its_own_beneficiary_only():
    via = DEFINITIONS["eligible"].operands[1]
    assert via.applies_to("park") and not via.applies_to("person") and not via.applies_to(None)


def test_every_back_end_reads_the_same_equivalences():
    policy = qzdsl.load()
    for clause in policy.clauses:
        vias = [node for node, _ in policy.reach((clause.requires,)) if isinstance(node, m.Via)]
        for via in vias:
            assert via.beneficiary == policy.clause(via.clause).beneficiary
    edges = [e for e in graph.declared_edges(policy) if e.relation is m.Relation.EQUIVALENCE]
    assert ("growth_park_incubation_equal", "incubation_subsidy_eligible") in {(e.source, e.label) for e in edges}


# ---- one dispatch on expression nodes -----------------------------------------------------


def test_a_visitor_that_misses_a_node_fails_when_it_is_defined():
    with pytest.raises(TypeError, match="does not visit .*Via"):
        class _Incomplete(m.ExprVisitor[str]):
            def visit_Const(self, node):
                return "const"


def test_a_partial_visitor_falls_back_to_generic_visit():
    class Names(m.ExprVisitor[str], partial=True):
        def visit_FactRef(self, node):
            return node.name

        def generic_visit(self, node):
            return "+".join(self.visit(child) for child in m.children(node))

    assert Names().visit(m.And((fact("a"), m.Not(fact("b"))))) == "a+b"


def test_the_back_ends_visit_every_node_type():
    from qzdsl.backends.audit.smt import Translator
    from qzdsl.backends.evaluator.evaluator import _Compiler
    from qzdsl.model.export import _Tree

    for visitor in (Translator, _Compiler, sqlgen.ExprCompiler, _Tree):
        assert issubclass(visitor, m.ExprVisitor)
        assert all(f"visit_{t.__name__}" in dir(visitor) for t in m.NODE_TYPES)


# ---- amounts, windows, clauses --------------------------------------------------------------


def _clause(spec: m.AmountSpec, window: m.Window, kind=m.ClauseKind.BENEFIT) -> m.Clause:
    return m.Clause("c", kind, "补贴", "测试", "一", "一", "", "person", m.Const(True, BOOL), spec, window, 0)


OPEN = m.Window(dt.date(2023, 1, 1))
TRIAL = m.Window(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
TRIAL_CONTINUES = m.Window(dt.date(2023, 1, 1), dt.date(2025, 12, 31), m.AfterEnd.CONTINUE)


def test_a_window_stops_payment_only_with_an_end_read_as_stop():
    assert TRIAL.stops and TRIAL.stop == dt.date(2025, 12, 31)
    assert not TRIAL_CONTINUES.stops and TRIAL_CONTINUES.stop is None and not OPEN.stops
    assert TRIAL.stopped(dt.date(2026, 1, 1)) and not TRIAL.stopped(dt.date(2025, 12, 31))
    assert not TRIAL_CONTINUES.stopped(dt.date(2030, 1, 1))
    assert TRIAL.contains(dt.date(2025, 12, 31)) and not TRIAL.contains(dt.date(2022, 12, 31))


def test_caps_per_period_and_in_total():
    yearly = m.AmountSpec(m.AmountKind.AT_LEAST, low=Decimal(100), cadence="years", cap=Decimal(500), cap_scope="years")
    total = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100), cadence="months", cap=Decimal(500), cap_scope="total")
    assert (yearly.per_period_cap, yearly.total_cap) == (Decimal(500), None)
    assert (total.per_period_cap, total.total_cap) == (None, Decimal(500))
    assert yearly.cadence is m.Cadence.YEARS and total.cap_scope is m.CapScope.TOTAL


def test_what_pays_a_computable_amount_and_what_pays_money():
    fixed = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100))
    assert _clause(fixed, OPEN).computes_amount and _clause(fixed, OPEN).pays_money
    guarantee = _clause(m.AmountSpec(m.AmountKind.RANGE, low=Decimal(10), high=Decimal(30)), OPEN,
                        m.ClauseKind.ENTITLEMENT)
    assert guarantee.computes_amount and not guarantee.pays_money  # sized, not paid
    for kind in (m.AmountKind.RULE, m.AmountKind.NONE):
        clause = _clause(m.AmountSpec(kind), OPEN)
        assert not clause.computes_amount and not clause.pays_money


def test_a_recurring_dated_schedule_is_cut_by_a_stopping_window():
    dated = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100), cadence="months", anchor="start")
    undated = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100), cadence="months")
    assert _clause(dated, TRIAL).cut_by_window and not _clause(dated, TRIAL).open_ended
    assert not _clause(dated, TRIAL_CONTINUES).cut_by_window and _clause(dated, TRIAL_CONTINUES).open_ended
    assert not _clause(undated, TRIAL).cut_by_window and _clause(undated, TRIAL).open_ended
    once = m.AmountSpec(m.AmountKind.FIXED, low=Decimal(100), anchor="start")
    assert not _clause(once, TRIAL).cut_by_window and _clause(once, TRIAL).amount.max_count == 1


def test_sql_amount_columns_exist_exactly_for_clauses_with_a_computable_amount():
    policy = qzdsl.load()
    for names in sqlcols.clause_columns(policy):
        assert names.monetary == names.clause.computes_amount


def test_imported_sections_are_keyed_with_their_document():
    policy = qzdsl.load(FIXTURES / "audit" / "policy.qz")
    main = policy.info.doc_number
    for clause in policy.clauses:
        assert clause.section_key == policy.section_key(clause.policy, clause.section)
        assert (clause.section_key == clause.section) == (clause.policy == main)
    assert any(c.policy != main for c in policy.clauses)
    assert all(policy.section_of(c) is not None for c in policy.clauses if c.section_key in policy.sections)


def test_enums_read_as_their_words():
    assert m.Status.GRANTED == "granted" and f"{m.Status.NOT_IN_FORCE}" == "not_in_force"
    assert m.Relation.DOMINATES.directed and not m.Relation.SAME_GROUP.directed
    assert m.Relation.EQUIVALENCE.declared and not m.Relation.OVERLAP.declared
    assert m.Cadence.MONTHS.months == 1 and m.Cadence.YEARS.periods_in_a_year == 1 and m.Cadence.ONCE.months is None


def test_what_the_principle_does_with_a_pair():
    policy = qzdsl.load()
    base = _clause(m.AmountSpec(m.AmountKind.FIXED, low=Decimal(1)), OPEN)
    grouped_a = m.Clause(**{**base.__dict__, "id": "a", "groups": ("g",)})
    grouped_b = m.Clause(**{**base.__dict__, "id": "b", "groups": ("g",)})
    stacked_b = m.Clause(**{**grouped_b.__dict__, "stackable": ("a",)})
    alone = m.Clause(**{**base.__dict__, "id": "c"})
    assert policy.pair_rule(grouped_a, grouped_b) is m.PairRule.CONFLICT
    assert policy.pair_rule(grouped_a, stacked_b) is m.PairRule.STACKABLE and policy.related(grouped_a, stacked_b)
    assert policy.pair_rule(grouped_a, alone) is m.PairRule.NONE
    assert not policy.conflicts(grouped_a, grouped_a)


def test_two_clauses_share_one_declared_term():
    """“两项补贴最长享受10年” is one term: the yearly and the monthly subsidy take their duration
    and start from it, each in its own cadence."""
    policy = qzdsl.load()
    annual, monthly = policy.clause("housing_annual_subsidy"), policy.clause("pf_topup_subsidy")
    term = policy.term_of(annual)
    assert term is not None and policy.term_of(monthly) is term and term.label.startswith("两项补贴最长享受10年")
    assert (annual.amount.max_periods, monthly.amount.max_periods) == (10, 120)
    assert annual.amount.anchor == monthly.amount.anchor == term.anchor == "purchase_date"
    assert annual.amount.calendar_year and not monthly.amount.calendar_year
    assert term.bounds(dt.date(2024, 4, 18)) == (dt.date(2024, 4, 18), dt.date(2034, 4, 17))


def test_a_continuing_condition_joins_the_requirement_for_snapshots():
    """On one snapshot of facts (a batch row, an SMT model) a clause is decided on its
    requirement and its continuing condition together."""
    policy = qzdsl.load()
    clause = policy.clause("pf_topup_subsidy")
    assert clause.continuing is not None
    assert clause.eligibility == m.And((clause.requires, clause.continuing), text=clause.eligibility.text)
    assert clause.conditions == (clause.requires, clause.continuing)
    assert "employer_pf_monthly" in policy.facts_of(clause)
