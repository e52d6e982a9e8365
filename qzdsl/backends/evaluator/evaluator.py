"""Evaluate a case against a compiled policy: one verdict per clause, with its trace.

    >>> import qzdsl
    >>> policy = qzdsl.load()
    >>> case = qzdsl.load_case("case.yaml", policy)       # doctest: +SKIP
    >>> decision = qzdsl.evaluate(policy, case)          # doctest: +SKIP

For every clause whose beneficiary is the case's kind, in declaration order:

1. The requirement, in three-valued logic (a missing fact is unknown; `false and unknown`
   is false, `true or unknown` is true; anything else touching unknown is unknown). A
   false requirement makes the clause ineligible, whatever the dates.
2. In force? A section whose window ended with the reading "stop" is not in force after
   its end. Otherwise the entitlement date (the anchor date, else the as-of date) must
   fall inside the window; a missing anchor date leaves the clause undetermined.
3. An unknown requirement leaves the clause undetermined; a met one still needs the
   per-head count to compute the amount.
4. Among the granted clauses, 从优、从高、不重复 (`resolution.resolve`).

The evaluator builds the trace as it evaluates, and derives everything else — the
verdict, the facts still missing, the conditions that failed — from that trace.
"""

from __future__ import annotations

import datetime as dt
import operator

from qzdsl.model import policy as m
from qzdsl.cases.case import Case
from qzdsl.model.dates import shift
from qzdsl.diagnostics import QzError, did_you_mean, error
from qzdsl.backends.evaluator.resolution import resolve
from qzdsl.backends.evaluator.results import (
    AmountFactMissing,
    ClauseResult,
    ContinuingStopped,
    PeriodsUndetermined,
    ConditionFailed,
    ConditionUnknown,
    Decision,
    OutOfWindow,
    Reason,
    RequirementMet,
    ScheduleCut,
    TraceNode,
)
from qzdsl.model.policy import Status
from qzdsl.backends.evaluator.schedule import payout, timeline
from qzdsl.cases.case import value_on

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


def evaluate(policy: m.Policy, case: Case, as_of: dt.date | None = None) -> Decision:
    """Every clause the case's kind can receive, decided at `as_of` (default: the case's
    own `as_of`, else today)."""
    if case.kind not in policy.kinds:
        raise QzError([error("QZ405", f"unknown applicant kind '{case.kind}'", None,
                             did_you_mean(case.kind, policy.kinds))])
    when = as_of or case.as_of or dt.date.today()
    tracer = _Tracer(policy, case.facts_on(when), when, case.kind)
    results = [_decide(clause, tracer, case) for clause in policy.clauses_for(case.kind)]
    return Decision(policy, case, when, tuple(resolve(policy, results)))


# ---- one clause ----------------------------------------------------------------------


def _decide(clause: m.Clause, tracer: "_Tracer", case: Case) -> ClauseResult:
    spec = clause.amount
    anchor = tracer.named(spec.anchor) if spec.anchor else None
    date = tracer.as_of if anchor is None else anchor.value
    # `requires` is tested once, on the facts in effect on the entitlement date; the
    # continuing condition on the as-of facts here, and period by period below.
    at_date = tracer
    if case.changes and date is not None and date != tracer.as_of:
        at_date = tracer.on(case.facts_on(date))
    trace = at_date.visit(clause.requires)
    if clause.continuing is not None:
        kids = (trace, tracer.visit(clause.continuing))
        trace = TraceNode("and", clause.eligibility.text, _all(kids), kids, expr=clause.eligibility)
    status, reasons, missing, amount, date, line = _verdict(clause, trace, tracer, anchor, date, case)
    return ClauseResult(clause, status, amount, None, missing, reasons, trace, date, line)


def _verdict(clause: m.Clause, trace: TraceNode, tracer: "_Tracer", anchor: TraceNode | None,
             date: dt.date | None, case: Case) -> tuple:
    """(status, reasons, missing facts, payout, entitlement date, timeline) of one clause."""
    spec, window, as_of = clause.amount, clause.window, tracer.as_of
    heads = tracer.named(spec.per_head) if spec.per_head else None
    rate = tracer.named(spec.fact) if spec.fact else None

    # A continuing condition over facts that change: judged period by period, it may hold
    # in some periods and not in others (paid, then stopped) whatever it is on the as-of date.
    periods = None
    if clause.continuing is not None and case.changes and trace.children[0].value is True and date is not None \
            and not window.stopped(as_of) and all(n is None or n.value is not None for n in (heads, rate)):
        paid = payout(clause, int(heads.value) if heads is not None else None,
                      anchor.value if anchor is not None else None, rate.value if rate is not None else None)
        if paid is not None and paid.first is not None and paid.count is not None:
            periods = _Periods(clause, tracer, case, paid, anchor.value if anchor is not None else None)
            if periods.changing:
                trace = TraceNode("and", trace.text, _all((trace.children[0], periods.overall)), trace.children,
                                  expr=trace.expr)
            else:
                periods = None

    # 1. A requirement that fails decides, whatever the dates: the caseworker is told why
    #    the applicant does not qualify, not asked for a date that cannot matter.
    if trace.value is False:
        # A continuing condition may repeat part of the requirement (tested once and then
        # in every period): one failed condition is one reason.
        reasons = tuple({(r.node.expr if r.node.expr is not None else id(r)): r for r in reversed(failures(trace))}
                        .values())[::-1]
        if periods is not None:
            reasons += (periods.stopped(),)
        return Status.INELIGIBLE, reasons, (), None, date, None

    # 2. In force.
    if window.stopped(as_of):
        return Status.NOT_IN_FORCE, (OutOfWindow("stopped", as_of, window),), (), None, None, None
    if date is None:
        reasons, missing = _unknowns(trace, anchor, heads, rate, spec)
        return Status.UNDETERMINED, reasons, missing, None, None, None
    if date < window.start:
        return Status.NOT_IN_FORCE, (OutOfWindow("before", date, window),), (), None, date, None
    if window.end is not None and date > window.end:
        return Status.NOT_IN_FORCE, (OutOfWindow("after", date, window),), (), None, date, None

    # 3. An unknown requirement, or the head count or rate the amount needs.
    if trace.value is None or any(n is not None and n.value is None for n in (heads, rate)):
        if periods is not None:
            reasons, missing = periods.unknown()
            return Status.UNDETERMINED, reasons, missing, None, date, None
        reasons, missing = _unknowns(trace, None, heads, rate, spec)
        return Status.UNDETERMINED, reasons, missing, None, date, None

    # 4. The amount, and where each of its periods stands on the as-of date.
    count = int(heads.value) if heads is not None else None
    paid = payout(clause, count, anchor.value if anchor is not None else None,
                  rate.value if rate is not None else None)
    reasons = (RequirementMet(trace),)
    if paid is not None and paid.cut_at is not None:
        reasons += (ScheduleCut(paid.dropped, window),)
    line = None
    if paid is not None:
        line = timeline(paid, as_of, periods.judged if periods is not None else None)
        if line.stopped:
            reasons += (periods.stopped(),)
        if line.undetermined:
            reasons += (periods.undetermined(),)
    return Status.GRANTED, reasons, (), paid, date, line


class _Periods:
    """A continuing condition judged period by period on the facts given for each: over
    every value its changing facts take from the period's start (not before the anchor
    date) to its end. A period is paid only when the condition holds throughout it."""

    def __init__(self, clause: m.Clause, tracer: "_Tracer", case: Case, paid, anchor: dt.date | None):
        self.clause, self.tracer, self.case = clause, tracer, case
        names = m.facts_reached(tracer.policy.reach((clause.continuing,), clause.beneficiary))
        self.changing = tuple(n for n in names if n in case.changes)
        self.dates = case.change_dates(self.changing)
        self.traces: dict[tuple, TraceNode] = {}
        judged, self.first_trace = [], {}
        for period in paid.periods:
            start = max(period.start, anchor) if anchor is not None and period.start < anchor else period.start
            end = max(period.end, start)
            points = (start, *(d for d in self.dates if start < d <= end))
            nodes = [self._at(point) for point in points]
            held = _all(tuple(nodes))
            for node in nodes:
                self.first_trace.setdefault(node.value, (period.start, node))
            judged.append(held)
        self.judged = tuple(judged)
        values = set(self.judged)
        self.overall = TraceNode("and", clause.continuing.text,
                                 True if True in values else None if None in values else False,
                                 expr=clause.continuing)

    def _at(self, date: dt.date) -> TraceNode:
        key = tuple(value_on(self.case.changes[n], date) for n in self.changing)
        node = self.traces.get(key)
        if node is None:
            node = self.traces[key] = self.tracer.on(self.case.facts_on(date)).visit(self.clause.continuing)
        return node

    def stopped(self) -> ContinuingStopped:
        start, node = self.first_trace.get(False, (None, self.tracer.visit(self.clause.continuing)))
        return ContinuingStopped(node, start, sum(1 for held in self.judged if held is False))

    def undetermined(self) -> PeriodsUndetermined:
        _, node = self.first_trace.get(None, (None, None))
        facts = missing_facts(node) if node is not None else ()
        return PeriodsUndetermined(sum(1 for held in self.judged if held is None), facts)

    def unknown(self) -> tuple[tuple[Reason, ...], tuple[str, ...]]:
        reason = self.undetermined()
        return (reason,), reason.facts


def _unknowns(trace: TraceNode, anchor: TraceNode | None, heads: TraceNode | None, rate: TraceNode | None,
              spec: m.AmountSpec) -> tuple[tuple[Reason, ...], tuple[str, ...]]:
    """The reasons and the missing facts of an undetermined clause, in the order they are
    decided: the anchor date, the requirement, then (unless the requirement already
    fails) the head count and the rate."""
    reasons: tuple[Reason, ...] = ()
    missing: tuple[str, ...] = ()
    if anchor is not None and anchor.value is None:
        missing = missing_facts(anchor)
        reasons += (AmountFactMissing("anchor", spec.anchor, missing),)
    if trace.value is None:
        unknown = missing_facts(trace)
        reasons += (ConditionUnknown(trace, unknown),)
        missing += unknown
    if heads is not None and heads.value is None and trace.value is not False:
        unknown = missing_facts(heads)
        reasons += (AmountFactMissing("per_head", spec.per_head, unknown),)
        missing += unknown
    if rate is not None and rate.value is None and trace.value is not False:
        unknown = missing_facts(rate)
        reasons += (AmountFactMissing("rate", spec.fact, unknown),)
        missing += unknown
    return reasons, tuple(dict.fromkeys(missing))


def missing_facts(node: TraceNode) -> tuple[str, ...]:
    """The unknown facts that could still decide `node`: those under its unknown children.

    A known child (say the true operand of an unknown `and`) decides nothing more, and a
    node decided despite unknown children (`false and unknown`) needs nothing at all.
    """
    found: dict[str, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if n.value is None:
            if n.op == "fact":
                found[n.name] = None
            stack.extend(reversed(n.children))
    return tuple(found)


def failures(node: TraceNode, within: tuple[str, ...] = ()) -> list[Reason]:
    """The false conditions that make a false requirement false, looking through `and`,
    definitions and equivalences down to the condition that failed; `within` names the
    definitions it sits in."""
    if node.op == "def":
        within += (node.name,)
    if node.op in ("and", "def", "via"):
        return [reason for child in node.decisive() for reason in failures(child, within)]
    return [ConditionFailed(node, within)]


# ---- expressions ---------------------------------------------------------------------


class _Tracer(m.ExprVisitor[TraceNode]):
    """Evaluates expressions for one case, building their trace; definitions are
    evaluated once per case and shared by every clause that uses them."""

    def __init__(self, policy: m.Policy, facts: dict, as_of: dt.date, kind: str):
        self.policy = policy
        self.facts = facts
        self.as_of = as_of
        self.kind = kind
        self.definitions: dict[str, TraceNode] = {}
        self.fact_nodes: dict[str, TraceNode] = {}

    def on(self, facts: dict) -> "_Tracer":
        """A tracer for the same case and date reading other facts (those of another day)."""
        return _Tracer(self.policy, facts, self.as_of, self.kind)

    def named(self, name: str) -> TraceNode:
        """A fact or a definition by name (the per-head count, the anchor date)."""
        if name in self.policy.facts:
            return self.fact(name)
        inner = self.definition(name)
        return TraceNode("def", name, inner.value, (inner,), name, self.policy.definitions[name].label,
                         m.DefRef(name, self.policy.definitions[name].type, name))

    def fact(self, name: str) -> TraceNode:
        node = self.fact_nodes.get(name)
        if node is None:  # a fact's node is the same wherever it is read: build it once
            fact = self.policy.facts[name]
            node = self.fact_nodes[name] = TraceNode("fact", name, self.facts.get(name), (), name, fact.label,
                                                     m.FactRef(name, fact.type, name))
        return node

    def definition(self, name: str) -> TraceNode:
        node = self.definitions.get(name)
        if node is None:
            node = self.definitions[name] = self.visit(self.policy.definitions[name].expr)
        return node

    def visit_And(self, e: m.And) -> TraceNode:
        kids = tuple([self.visit(o) for o in e.operands])
        return TraceNode("and", e.text, _all(kids), kids, expr=e)

    def visit_Or(self, e: m.Or) -> TraceNode:
        kids = tuple([self.visit(o) for o in e.operands])
        text = e.text
        if isinstance(e.operands[-1], m.Via):
            # The compiler adds equivalences to a definition as `or` operands, keeping the
            # definition's own text: say that the alternative is there.
            text = f"({e.operands[0].text}) or via {e.operands[-1].clause}"
        return TraceNode("or", text, _any(kids), kids, expr=e)

    def visit_FactRef(self, e: m.FactRef) -> TraceNode:
        return self.fact_nodes.get(e.name) or self.fact(e.name)

    def visit_DefRef(self, e: m.DefRef) -> TraceNode:
        inner = self.definition(e.name)
        return TraceNode("def", e.text or e.name, inner.value, (inner,), e.name,
                         self.policy.definitions[e.name].label, e)

    def visit_In(self, e: m.In) -> TraceNode:
        kid = self.visit(e.operand)
        value = None if kid.value is None else (kid.value in e.members) != e.negated
        return TraceNode("in", e.text, value, (kid,), expr=e)

    def visit_Cmp(self, e: m.Cmp) -> TraceNode:
        left, right = self.visit(e.left), self.visit(e.right)
        known = left.value is not None and right.value is not None
        return TraceNode("cmp", e.text, _CMP[e.op](left.value, right.value) if known else None, (left, right),
                         expr=e)

    def visit_Not(self, e: m.Not) -> TraceNode:
        kid = self.visit(e.operand)
        return TraceNode("not", e.text, None if kid.value is None else not kid.value, (kid,), expr=e)

    def visit_Const(self, e: m.Const) -> TraceNode:
        return TraceNode("const", e.text or str(e.value), e.value, expr=e)

    def visit_AsOfRef(self, e: m.AsOfRef) -> TraceNode:
        return TraceNode("as_of", "as_of", self.as_of, expr=e)

    def visit_Shift(self, e: m.Shift) -> TraceNode:
        kid = self.visit(e.date)
        value = None if kid.value is None else shift(kid.value, e.amount, e.unit, e.sign)
        return TraceNode("shift", e.text, value, (kid,), expr=e)

    def visit_Arith(self, e: m.Arith) -> TraceNode:
        left, right = self.visit(e.left), self.visit(e.right)
        value = None
        if left.value is not None and right.value is not None:
            value = left.value + right.value if e.op == "+" else left.value - right.value
        return TraceNode("arith", e.text, value, (left, right), expr=e)

    def visit_Via(self, e: m.Via) -> TraceNode:
        # An equivalence extends a definition for its own beneficiaries only: a park's
        # 同等享受 does not make an incubator's eligibility wait on a park's facts.
        if not e.applies_to(self.kind):
            return TraceNode("via", e.text, False, (), e.clause, self.policy.label(e.clause), e)
        kid = self.visit(e.operand)
        return TraceNode("via", e.text, kid.value, (kid,), e.clause, self.policy.label(e.clause), e)


def _kleene(kids: tuple[TraceNode, ...], decisive: bool) -> bool | None:
    """Three-valued `and` (decisive False) or `or` (decisive True): the decisive value if
    any operand has it, else unknown if any operand is unknown, else the other value."""
    result: bool | None = not decisive
    for kid in kids:
        if kid.value is decisive:
            return decisive
        if kid.value is None:
            result = None
    return result


def _all(kids: tuple[TraceNode, ...]) -> bool | None:
    return _kleene(kids, decisive=False)


def _any(kids: tuple[TraceNode, ...]) -> bool | None:
    return _kleene(kids, decisive=True)
