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
verdict, the facts still missing, the conditions that failed — from that trace. Each
clause's requirement is compiled once per policy into closures (`_Compiler`), so that
evaluating a case does no dispatch on node types and no lookups of labels or texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from decimal import Decimal
from typing import Callable, Collection, NamedTuple

from qzdsl.model import policy as m
from qzdsl.model.derived import derived
from qzdsl.cases.case import Case, value_on
from qzdsl.model.dates import periods_started, phases, shift
from qzdsl.diagnostics import QzError, did_you_mean, error
from qzdsl.backends.evaluator.resolution import resolve
from qzdsl.backends.evaluator.results import (
    AmountFactMissing,
    ClauseResult,
    ConditionFailed,
    ConditionUnknown,
    ContinuingStopped,
    Decision,
    OutOfWindow,
    PeriodsUndetermined,
    Reason,
    RequirementMet,
    ScheduleCut,
    TraceNode,
)
from qzdsl.model.policy import Status
from qzdsl.backends.evaluator.schedule import dates, payout, per_period, spans, timeline

# The statuses as module constants: looking a member up on its enum class costs ten times
# more than a global on Python 3.11, and the evaluator does it for every clause of a case.
_GRANTED, _INELIGIBLE, _UNDETERMINED, _NOT_IN_FORCE = (Status.GRANTED, Status.INELIGIBLE, Status.UNDETERMINED,
                                                       Status.NOT_IN_FORCE)
_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


def evaluate(policy: m.Policy, case: Case, as_of: dt.date | None = None) -> Decision:
    """Every clause the case's kind can receive, decided at `as_of` (default: the case's
    own `as_of`, else today)."""
    if case.kind not in policy.kinds:
        raise QzError([error("QZ405", None, None, did_you_mean(case.kind, policy.kinds), name=case.kind)])
    when = as_of or case.as_of or dt.date.today()
    run = _Run(case.facts_on(when), when, case.kind)
    results = [_decide(plan, run, case) for plan in _plan(policy).kinds[case.kind]]
    return Decision(policy, case, when, tuple(resolve(policy, results)))


def evaluate_clauses(policy: m.Policy, case: Case, as_of: dt.date, clauses: Collection[str]) -> list[ClauseResult]:
    """The verdicts on the clauses named in `clauses` (of the case's kind) alone, before
    从优、从高、不重复: what the questions need to see which answers decide a clause."""
    run = _Run(case.facts_on(as_of), as_of, case.kind)
    return [_decide(plan, run, case) for plan in _plan(policy).kinds[case.kind] if plan.clause.id in clauses]


# ---- one clause ----------------------------------------------------------------------


def _decide(plan: "_ClausePlan", run: "_Run", case: Case) -> ClauseResult:
    anchor = plan.anchor(run) if plan.anchor else None
    date = run.as_of if anchor is None else anchor.value
    # `requires` is tested once, on the facts in effect on the entitlement date; the
    # continuing condition on the as-of facts here, and period by period in `_verdict`.
    at_date = run
    if case.changes and date is not None and date != run.as_of:
        at_date = _Run(case.facts_on(date), run.as_of, run.kind)
    trace = plan.requires(at_date)
    if plan.continuing is not None:
        kids = (trace, plan.continuing(run))
        eligibility = plan.clause.eligibility
        trace = _node(TraceNode, ("and", eligibility.text, _all(kids), kids, None, None, eligibility))
    status, reasons, missing, amount, date, line = _verdict(plan, trace, run, anchor, date, case)
    return _result(plan.clause, status, amount, None, missing, reasons, trace, date, line)


def _all(kids: tuple[TraceNode, ...]) -> bool | None:
    """Three-valued `and` of known nodes."""
    values = [kid.value for kid in kids]
    return False if False in values else None if None in values else True


def _verdict(plan: "_ClausePlan", trace: TraceNode, run: "_Run", anchor: TraceNode | None, date: dt.date | None,
             case: Case) -> tuple:
    """(status, reasons, missing facts, payout, entitlement date, timeline) of one clause."""
    clause, as_of = plan.clause, run.as_of
    spec, window = clause.amount, clause.window
    heads = plan.heads(run) if plan.heads else None
    rate = plan.rate(run) if plan.rate else None

    # Over facts that change: a continuing condition, a head count or a rate is judged
    # period by period (`_Periods`), each period on the facts given for it — paid, then
    # stopped; more heads one year than the next — whatever they are on the as-of date.
    periods = None
    met = (trace.children[0] if plan.continuing is not None else trace).value is True
    if case.changes and met and date is not None and anchor is not None and not window.stopped(as_of):
        periods = _Periods.judge(plan, run, case, anchor.value, heads, rate)
        if periods is not None and plan.continuing is not None:
            trace = _node(TraceNode, ("and", trace.text, _all((trace.children[0], periods.overall)),
                                      trace.children, None, None, trace.expr))

    # 1. A requirement that fails decides, whatever the dates: the caseworker is told why
    #    the applicant does not qualify, not asked for a date that cannot matter.
    if trace.value is False:
        # A continuing condition may repeat part of the requirement (tested once and then
        # in every period): one failed condition is one reason.
        found = failures(trace, memo=run.failed)
        reasons = tuple(found) if len(found) < 2 else tuple(
            {(r.node.expr if r.node.expr is not None else id(r)): r for r in reversed(found)}.values())[::-1]
        if periods is not None:
            reasons += (periods.stopped(),)
        return _INELIGIBLE, reasons, (), None, date, None

    # 2. In force.
    if window.stopped(as_of):
        return _NOT_IN_FORCE, (OutOfWindow("stopped", as_of, window),), (), None, None, None
    if date is None:
        reasons, missing = _unknowns(trace, anchor, heads, rate, spec)
        return _UNDETERMINED, reasons, missing, None, None, None
    if date < window.start:
        return _NOT_IN_FORCE, (OutOfWindow("before", date, window),), (), None, date, None
    if window.end is not None and date > window.end:
        return _NOT_IN_FORCE, (OutOfWindow("after", date, window),), (), None, date, None

    # 3. An unknown requirement, or the head count or rate the amount needs (on the as-of
    #    facts, or in every period when judged period by period).
    if periods is not None and (trace.value is None or periods.none_known):
        reasons, missing = periods.unknown()
        return _UNDETERMINED, reasons, missing, None, date, None
    if trace.value is None or (periods is None or periods.amounts is None) and any(
            n is not None and n.value is None for n in (heads, rate)):
        reasons, missing = _unknowns(trace, None, heads, rate, spec)
        return _UNDETERMINED, reasons, missing, None, date, None

    # 4. The amount, and where each of its periods stands on the as-of date.
    count = int(heads.value) if heads is not None and heads.value is not None else None
    rate_now = rate.value if rate is not None else None
    if periods is not None and periods.amounts is not None:  # each period its own head count
        paid = payout(clause, None, anchor.value, rate_now, periods.amounts, periods.now)
    else:
        paid = payout(clause, count, anchor.value if anchor is not None else None, rate_now)
        if periods is not None and paid is not None and paid.open_ended:
            paid = dataclasses.replace(paid, listed=len(periods.judged))
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
    return _GRANTED, reasons, (), paid, date, line


class _Periods:
    """A schedule judged period by period on the facts given for each (docs/eval.md,
    "Schedules"): its continuing condition, over every value its changing facts take from
    the period's start (not before the anchor date) to its end — a period is paid only when
    it holds throughout —, and its head count and rate when they change over time — a
    period pays at least the rate times the fewest heads (the lowest rate) it sees, at
    most times the most (the highest). A period whose facts are not given is undetermined.

    An open-ended schedule is judged up to the period after the last change (or after the
    as-of date): the periods after that share its facts (`schedule.Timeline.tail`)."""

    def __init__(self, plan: "_ClausePlan", run: "_Run", case: Case, changing: tuple[str, ...],
                 spans: tuple[tuple[dt.date, dt.date], ...], anchor: dt.date, amounts: bool, now: int):
        self.plan, self.run, self.case, self.changing, self.now = plan, run, case, changing, now
        clause = plan.clause
        dates = case.change_dates(changing)
        self.points: dict[tuple, tuple[TraceNode | None, ...]] = {}
        self.first: dict[bool | None, tuple[dt.date | None, TraceNode]] = {}
        self.missing: list[tuple[str, ...]] = []
        judged, held_values, paid = [], [], []
        for period_start, period_end in spans:
            start = anchor if period_start < anchor else period_start
            end = max(period_end, start)
            points = [self._at(point) for point in (start, *(d for d in dates if start < d <= end))]
            held: bool | None = True
            missing: dict[str, None] = {}
            if plan.continuing is not None:
                nodes = tuple(point[0] for point in points)
                for node in nodes:
                    self.first.setdefault(node.value, (period_start, node))
                held = _all(nodes)
                if held is None:
                    missing.update((f, None) for n in nodes for f in missing_facts(n))
            held_values.append(held)
            amount = (Decimal(0), Decimal(0))
            if amounts:
                seen = [point[1:] for point in points]
                unknown = [n for pair in seen for n in pair if n is not None and n.value is None]
                if unknown:
                    missing.update((f, None) for n in unknown for f in missing_facts(n))
                    held = None if held is not False else False
                else:
                    bounds = [per_period(clause, None if h is None else int(h.value), None if r is None else r.value)
                              for h, r in seen]
                    lows, highs = [b[0] for b in bounds], [b[1] for b in bounds]
                    amount = (None if None in lows else min(lows), None if None in highs else max(highs))
            paid.append(amount)
            judged.append(held)
            self.missing.append(tuple(missing) if held is None else ())
        self.judged = tuple(judged)
        self.amounts = tuple(paid) if amounts else None
        self.none_known = True not in self.judged and None in self.judged
        values = set(held_values)
        self.overall = None
        if plan.continuing is not None:
            self.overall = TraceNode("and", clause.continuing.text,
                                     True if True in values else None if None in values else False,
                                     expr=clause.continuing)

    @classmethod
    def judge(cls, plan: "_ClausePlan", run: "_Run", case: Case, anchor: dt.date | None, heads: TraceNode | None,
              rate: TraceNode | None) -> "_Periods | None":
        """The judgement of a dated schedule whose continuing condition, head count or
        rate reads a fact that changes over time; None when nothing it needs changes (the
        as-of facts decide), or when the schedule is undated or empty."""
        changing_cont = tuple(n for n in plan.continuing_facts if n in case.changes) if plan.continuing else ()
        changing_amount = tuple(n for n in plan.amount_facts if n in case.changes)
        if not (changing_cont or changing_amount) or anchor is None:
            return None
        if not changing_amount and any(n is not None and n.value is None for n in (heads, rate)):
            return None  # the amount is unknown in every period: the as-of facts say so
        clause = plan.clause
        first, count, _, _ = dates(clause, anchor)
        if first is None or count == 0:
            return None
        changing = tuple(dict.fromkeys(changing_cont + changing_amount))
        months = clause.amount.cadence.months
        last = max((run.as_of, *case.change_dates(changing)))
        listed = count if count is not None else periods_started(first, months, last) + 1
        past, current, _ = phases(first, count, months, run.as_of)
        return cls(plan, run, case, changing, spans(first, listed, clause.amount.cadence), anchor,
                   bool(changing_amount), min(past, listed - 1))

    def _at(self, date: dt.date) -> tuple[TraceNode | None, ...]:
        """(continuing condition, head count, rate) on the facts of `date`, each None where
        the clause has none; evaluated once per distinct value of the changing facts."""
        key = tuple(value_on(self.case.changes[name], date) for name in self.changing)
        point = self.points.get(key)
        if point is None:
            run = _Run(self.case.facts_on(date), self.run.as_of, self.run.kind)
            plan = self.plan
            point = self.points[key] = tuple(None if step is None else step(run)
                                             for step in (plan.continuing, plan.heads, plan.rate))
        return point

    def stopped(self) -> ContinuingStopped:
        start, node = self.first.get(False, (None, self.plan.continuing(self.run)))
        return ContinuingStopped(node, start, sum(1 for held in self.judged if held is False))

    def undetermined(self) -> PeriodsUndetermined:
        facts = next((m for m, held in zip(self.missing, self.judged) if held is None), ())
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


def failures(node: TraceNode, within: tuple[str, ...] = (), memo: dict | None = None) -> list[Reason]:
    """The false conditions that make a false requirement false, looking through `and`,
    definitions and equivalences down to the condition that failed; `within` names the
    definitions it sits in. `memo` (one per evaluation) keeps what a definition's tree
    yields, so that a definition many clauses require is looked through once."""
    found: list[Reason] = []
    _failures(node, within, found, memo)
    return found


def _failures(node: TraceNode, within: tuple[str, ...], found: list[Reason], memo: dict | None) -> None:
    op = node.op
    if op == "and":  # a false `and` is decided by its false operands (`TraceNode.decisive`)
        value = node.value
        for child in node.children:
            if value is True or child.value is value:
                if child.op in _THROUGH:
                    _failures(child, within, found, memo)
                else:
                    found.append(ConditionFailed(child, within))
        return
    if op == "def":
        within += (node.name,)
        if memo is not None and len(node.children) == 1:
            # The definition's own tree is one node per case, shared by every reference
            # to it (kept in the entry, so that its id stays its own).
            tree = node.children[0]
            key = (id(tree), within)
            known = memo.get(key)
            if known is None or known[0] is not tree:
                known = memo[key] = (tree, failures(tree, within, memo))
            found.extend(known[1])
            return
    elif op != "via":
        found.append(ConditionFailed(node, within))
        return
    for child in node.children:
        _failures(child, within, found, memo)


_THROUGH = frozenset({"and", "def", "via"})  # the nodes `failures` looks through


# ---- expressions ---------------------------------------------------------------------
#
# Each expression is compiled once per policy into a step: a closure that evaluates it for
# one case and returns its trace node. The dispatch on node types and what a node carries
# (its operator, text, label) are settled when the policy is first evaluated, not again for
# every case (`_plan`). Definitions are evaluated once per case and shared by every clause
# that uses them, as are the nodes of facts; a constant has one node for every case.
#
# Trace nodes are tuples (`TraceNode` is a NamedTuple) and are built here with
# `tuple.__new__`, which skips NamedTuple's own keyword-handling constructor: a case
# builds a few dozen of them, and their construction was the largest single cost.

Step = Callable[["_Run"], TraceNode]
_node = tuple.__new__  # _node(TraceNode, (op, text, value, children, name, label, expr))


class _Run:
    """One case being evaluated: its facts, date and kind, and the shared nodes built so far."""

    __slots__ = ("facts", "as_of", "kind", "definitions", "fact_nodes", "as_of_node", "failed")

    def __init__(self, facts: dict, as_of: dt.date, kind: str):
        self.facts = facts
        self.as_of = as_of
        self.kind = kind
        self.definitions: dict[str, TraceNode] = {}
        self.fact_nodes: dict[str, TraceNode] = {}
        self.as_of_node: TraceNode | None = None
        self.failed: dict = {}  # `failures` of the definitions' trees (its memo)


class _ClausePlan(NamedTuple):
    clause: m.Clause
    requires: Step
    anchor: Step | None  # the anchor date, the head count and the rate, where the amount names them
    heads: Step | None
    rate: Step | None
    continuing: Step | None  # the `while` condition, and the facts it reads
    continuing_facts: tuple[str, ...]
    amount_facts: tuple[str, ...]  # the facts the head count and the rate read


class _Plan:
    """A policy compiled for the evaluator: the steps of every clause, per applicant kind.
    It holds no reference to the policy (`model.derived`)."""

    def __init__(self, policy: m.Policy):
        compiler = _Compiler(policy)
        self.kinds: dict[str, tuple[_ClausePlan, ...]] = {
            kind: tuple(_ClausePlan(clause, compiler.visit(clause.requires), *(
                compiler.named(name) if name else None
                for name in (clause.amount.anchor, clause.amount.per_head, clause.amount.fact)),
                *_continuing(policy, compiler, clause), policy.amount_facts(clause))
                for clause in policy.clauses_for(kind))
            for kind in policy.kinds}


def _continuing(policy: m.Policy, compiler: "_Compiler", clause: m.Clause) -> tuple[Step | None, tuple[str, ...]]:
    if clause.continuing is None:
        return None, ()
    return compiler.visit(clause.continuing), policy.continuing_facts(clause)


def _plan(policy: m.Policy) -> _Plan:
    """The compiled form of `policy`, built on first use and dropped with the policy."""
    return derived(policy, _Plan, lambda: _Plan(policy))


class _Compiler(m.ExprVisitor[Step]):
    """Compiles an expression into the step that evaluates it and builds its trace."""

    def __init__(self, policy: m.Policy):
        self.policy = policy
        self.fact_steps: dict[str, Step] = {}
        self.definition_steps: dict[str, Step] = {}
        self.named_steps: dict[str, Step] = {}

    def named(self, name: str) -> Step:
        """A fact or a definition by name (the per-head count, the anchor date)."""
        if name in self.policy.facts:
            return self.fact(name)
        step = self.named_steps.get(name)
        if step is None:
            definition = self.policy.definitions[name]
            step = self.named_steps[name] = self._reference(name, name, definition.label,
                                                            m.DefRef(name, definition.type, name))
        return step

    def fact(self, name: str) -> Step:
        step = self.fact_steps.get(name)
        if step is None:
            fact = self.policy.facts[name]
            label, ref = fact.label, m.FactRef(name, fact.type, name)

            def step(run: _Run) -> TraceNode:
                # A fact's node is the same wherever it is read: built once per case.
                node = run.fact_nodes.get(name)
                if node is None:
                    node = run.fact_nodes[name] = _node(TraceNode, ("fact", name, run.facts.get(name), (), name,
                                                                    label, ref))
                return node

            self.fact_steps[name] = step
        return step

    def definition(self, name: str) -> Step:
        """The step of a definition's own expression, evaluated once per case."""
        step = self.definition_steps.get(name)
        if step is None:
            body = self.visit(self.policy.definitions[name].expr)

            def step(run: _Run) -> TraceNode:
                node = run.definitions.get(name)
                if node is None:
                    node = run.definitions[name] = body(run)
                return node

            self.definition_steps[name] = step
        return step

    def _reference(self, name: str, text: str, label: str, expr: m.Expr) -> Step:
        """A reference to a definition: a node whose only child is the definition's tree."""
        inner = self.definition(name)

        def step(run: _Run) -> TraceNode:
            node = inner(run)
            return _node(TraceNode, ("def", text, node.value, (node,), name, label, expr))

        return step

    def visit_And(self, e: m.And) -> Step:
        return _kleene("and", e.text, tuple(self.visit(o) for o in e.operands), e, decisive=False)

    def visit_Or(self, e: m.Or) -> Step:
        text = e.text
        if isinstance(e.operands[-1], m.Via):
            # The compiler adds equivalences to a definition as `or` operands, keeping the
            # definition's own text: say that the alternative is there.
            text = f"({e.operands[0].text}) or via {e.operands[-1].clause}"
        return _kleene("or", text, tuple(self.visit(o) for o in e.operands), e, decisive=True)

    def visit_FactRef(self, e: m.FactRef) -> Step:
        return self.fact(e.name)

    def visit_DefRef(self, e: m.DefRef) -> Step:
        return self._reference(e.name, e.text or e.name, self.policy.definitions[e.name].label, e)

    def visit_In(self, e: m.In) -> Step:
        operand, text, members, negated = self.visit(e.operand), e.text, frozenset(e.members), e.negated

        def step(run: _Run) -> TraceNode:
            kid = operand(run)
            value = None if kid.value is None else (kid.value in members) != negated
            return _node(TraceNode, ("in", text, value, (kid,), None, None, e))

        return step

    def visit_Cmp(self, e: m.Cmp) -> Step:
        compare, left, right, text = _CMP[e.op], self.visit(e.left), self.visit(e.right), e.text

        def step(run: _Run) -> TraceNode:
            a, b = left(run), right(run)
            value = None if a.value is None or b.value is None else compare(a.value, b.value)
            return _node(TraceNode, ("cmp", text, value, (a, b), None, None, e))

        return step

    def visit_Not(self, e: m.Not) -> Step:
        operand, text = self.visit(e.operand), e.text

        def step(run: _Run) -> TraceNode:
            kid = operand(run)
            value = None if kid.value is None else not kid.value
            return _node(TraceNode, ("not", text, value, (kid,), None, None, e))

        return step

    def visit_Const(self, e: m.Const) -> Step:
        node = TraceNode("const", e.text or str(e.value), e.value, expr=e)  # the same for every case
        return lambda run: node

    def visit_AsOfRef(self, e: m.AsOfRef) -> Step:
        def step(run: _Run) -> TraceNode:
            node = run.as_of_node
            if node is None:
                node = run.as_of_node = TraceNode("as_of", "as_of", run.as_of, expr=e)
            return node

        return step

    def visit_Shift(self, e: m.Shift) -> Step:
        date, text, amount, unit, sign = self.visit(e.date), e.text, e.amount, e.unit, e.sign

        def step(run: _Run) -> TraceNode:
            kid = date(run)
            value = None if kid.value is None else shift(kid.value, amount, unit, sign)
            return _node(TraceNode, ("shift", text, value, (kid,), None, None, e))

        return step

    def visit_Arith(self, e: m.Arith) -> Step:
        left, right, text, plus = self.visit(e.left), self.visit(e.right), e.text, e.op == "+"

        def step(run: _Run) -> TraceNode:
            a, b = left(run), right(run)
            value = None
            if a.value is not None and b.value is not None:
                value = a.value + b.value if plus else a.value - b.value
            return _node(TraceNode, ("arith", text, value, (a, b), None, None, e))

        return step

    def visit_Via(self, e: m.Via) -> Step:
        operand, text, clause, label = self.visit(e.operand), e.text, e.clause, self.policy.label(e.clause)

        def step(run: _Run) -> TraceNode:
            # An equivalence extends a definition for its own beneficiaries only: a park's
            # 同等享受 does not make an incubator's eligibility wait on a park's facts.
            if not e.applies_to(run.kind):
                return _node(TraceNode, ("via", text, False, (), clause, label, e))
            kid = operand(run)
            return _node(TraceNode, ("via", text, kid.value, (kid,), clause, label, e))

        return step


def _kleene(op: str, text: str, operands: tuple[Step, ...], e: m.Expr, decisive: bool) -> Step:
    """Three-valued `and` (decisive False) or `or` (decisive True): the decisive value if
    any operand has it, else unknown if any operand is unknown, else the other value."""
    other = not decisive

    def step(run: _Run) -> TraceNode:
        kids = tuple([operand(run) for operand in operands])
        value: bool | None = other
        for kid in kids:
            if kid.value is decisive:
                value = decisive
                break
            if kid.value is None:
                value = None
        return _node(TraceNode, (op, text, value, kids, None, None, e))

    if len(operands) != 2:
        return step
    first, second = operands

    def pair(run: _Run) -> TraceNode:  # the common case, without a list
        a, b = first(run), second(run)
        if a.value is decisive or b.value is decisive:
            value = decisive
        elif a.value is None or b.value is None:
            value = None
        else:
            value = other
        return _node(TraceNode, (op, text, value, (a, b), None, None, e))

    return pair

    return step


# ---- clause results --------------------------------------------------------------------
#
# A frozen dataclass's own __init__ sets each field through object.__setattr__; a result
# per clause that way was a tenth of the time to evaluate a case. `_result` builds the
# same frozen object by setting its slots directly (the fields are checked at import, so a
# new field fails there, not silently).


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple:
    fields = tuple(f.name for f in dataclasses.fields(cls))
    if fields != names:
        raise TypeError(f"{cls.__name__} has the fields {fields}; the evaluator builds {names}")
    return tuple(cls.__dict__[name].__set__ for name in names)


_new = object.__new__
_clause, _status, _amount, _excluded, _missing, _reasons, _trace, _date, _timeline = _slot_setters(
    ClauseResult, ("clause", "status", "amount", "excluded_by", "missing_facts", "reasons", "trace",
                   "entitlement_date", "timeline"))


def _result(clause: m.Clause, status: Status, amount, excluded_by: str | None, missing: tuple[str, ...],
            reasons: tuple, trace: TraceNode, date: dt.date | None, line) -> ClauseResult:
    """ClauseResult(clause, status, amount, excluded_by, missing, reasons, trace, date, timeline)."""
    result = _new(ClauseResult)
    _clause(result, clause)
    _status(result, status)
    _amount(result, amount)
    _excluded(result, excluded_by)
    _missing(result, missing)
    _reasons(result, reasons)
    _trace(result, trace)
    _date(result, date)
    _timeline(result, line)
    return result
