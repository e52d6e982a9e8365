"""What evaluating a case produces: per-clause verdicts, their reasons, amounts and traces.

These are plain frozen dataclasses; the evaluator builds them and the reports only read
them. A value in a trace is three-valued for conditions: `True`, `False`, or `None`
(unknown — some fact it needs is absent from the case).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from qzdsl.frozen import frozen
from qzdsl.model import policy as m
from qzdsl.model.policy import Status
from qzdsl.cases.case import Case, canonical_facts
from qzdsl.backends.evaluator.schedule import Payout, Timeline, favourability, timeline

# A fact's or an expression's value; None means unknown.
Value = bool | int | Decimal | dt.date | str | None


# ---- the requirement trace -----------------------------------------------------------


class TraceNode(NamedTuple):
    """One node of an evaluated expression, with its value.

    `op` is the node's kind: and, or, not, cmp, in, fact, def, via, const, as_of, shift,
    arith. `name` is the fact or definition name (or, for `via`, the equivalence clause
    id); `label` its Chinese label. A definition's node has the definition's own tree as
    its only child, so definitions read as expanded sub-trees.

    Immutable, like the other results, but a NamedTuple rather than a frozen dataclass:
    evaluating a case builds a few dozen nodes, and a tuple is built several times faster.
    As before, equality, hashing and the repr leave `expr` out.
    """

    op: str
    text: str
    value: Value
    children: tuple["TraceNode", ...] = ()
    name: str | None = None
    label: str | None = None
    # The expression this node evaluated: the wording layer phrases it as a sentence.
    expr: m.Expr | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TraceNode) and self[:6] == other[:6]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:6])

    def __repr__(self) -> str:
        return (f"TraceNode(op={self.op!r}, text={self.text!r}, value={self.value!r}, children={self.children!r}, "
                f"name={self.name!r}, label={self.label!r})")

    def facts(self) -> tuple[str, ...]:
        """Every fact this node reads, through definitions, in order of first use."""
        return tuple(dict.fromkeys(_facts(self)))

    def decisive_facts(self) -> tuple[str, ...]:
        """The facts behind this node's value: those under its deciding children."""
        found: dict[str, None] = {}
        stack = [self]
        while stack:
            node = stack.pop()
            if node.op == "fact":
                found[node.name] = None
            stack.extend(reversed(node.decisive()))
        return tuple(found)

    def decisive(self) -> tuple["TraceNode", ...]:
        """The children that decide this node's value (the others are masked).

        A false `and` is decided by its false operands, a true `or` by its true ones;
        an unknown `and`/`or` by its unknown operands; every other node by all children.
        """
        if self.op == "and" and self.value is not True:
            return tuple(c for c in self.children if c.value is self.value)
        if self.op == "or" and self.value is not False:
            return tuple(c for c in self.children if c.value is self.value)
        return self.children


def _facts(node: TraceNode):
    if node.op == "fact":
        yield node.name
    for child in node.children:
        yield from _facts(child)


# ---- reasons ---------------------------------------------------------------------------


@frozen(compiled_init=True)
class RequirementMet:
    node: TraceNode


@frozen(compiled_init=True)
class ConditionFailed:
    """A condition of the requirement that is false, and the definitions (outermost
    first) it belongs to."""

    node: TraceNode
    within: tuple[str, ...] = ()

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts behind the failure."""
        return self.node.decisive_facts()


@frozen(compiled_init=True)
class ConditionUnknown:
    """The requirement cannot be decided; `facts` are the ones that would decide it."""

    node: TraceNode
    facts: tuple[str, ...]


@frozen(compiled_init=True)
class AmountFactMissing:
    """A granted-by-requirement clause needs this value to compute its amount or its dates.

    `role` is "per_head" (the head count), "rate" (the money fact an amount is taken from)
    or "anchor" (the date the schedule starts from).
    """

    role: str
    name: str
    facts: tuple[str, ...]


@frozen(compiled_init=True)
class OutOfWindow:
    """The clause is not in force for this case.

    `which`: "before" (the entitlement date precedes the window), "after" (it follows the
    window's end), or "stopped" (the as-of date is after the end and the recorded reading
    is that payments stop). `date` is the date that was compared.
    """

    which: str
    date: dt.date
    window: m.Window


@frozen(compiled_init=True)
class ScheduleCut:
    """The schedule ends with the section's window (reading "stop"): `dropped` periods of
    the maximum duration start after its end (0 when the duration was open)."""

    dropped: int
    window: m.Window


@frozen(compiled_init=True)
class ContinuingStopped:
    """A continuing condition (`while`) failed in some periods, judged on the facts given
    for them: `count` periods pay nothing, the first from `start`. `node` is the condition
    as it stands on the as-of facts."""

    node: TraceNode
    start: dt.date | None
    count: int


@frozen(compiled_init=True)
class PeriodsUndetermined:
    """Facts are missing for `count` periods (`facts` would decide them): those periods
    are not paid until the facts are given."""

    count: int
    facts: tuple[str, ...]


@frozen(compiled_init=True)
class ExcludedBy:
    """从优、从高、不重复: a conflicting clause with a higher (or, on a tie, earlier) rank won."""

    clause: str
    value: Decimal
    winner_value: Decimal
    tie: bool


@frozen(compiled_init=True)
class KeptAlongside:
    """A granted clause kept beside others it would conflict with, because it is stackable."""

    clauses: tuple[str, ...]


Reason = (RequirementMet | ConditionFailed | ConditionUnknown | AmountFactMissing | OutOfWindow | ScheduleCut
          | ContinuingStopped | PeriodsUndetermined | ExcludedBy | KeptAlongside)


# ---- the decision ----------------------------------------------------------------------


@frozen(compiled_init=True)
class ClauseResult:
    """The verdict on one clause. `missing_facts` (undetermined only) lists the facts
    still worth asking, in the order they matter; `excluded_by` is the winning clause id."""

    clause: m.Clause
    status: Status
    amount: Payout | None
    excluded_by: str | None
    missing_facts: tuple[str, ...]
    reasons: tuple[Reason, ...]
    trace: TraceNode
    entitlement_date: dt.date | None = None
    timeline: Timeline | None = None  # a granted payout on the as-of date: paid, due, projected


@frozen(compiled_init=True)
class Totals:
    """Sums of new public money over the granted clauses' lifetime totals: `low` what is
    guaranteed (a discretionary grant, 可给予, guarantees nothing: it counts only in
    `high`), `high` the most (None when some amount has no ceiling, or no end).
    `open_ended` counts the granted clauses without a lifetime total and `monetary` those
    with one; `value` is the sum of favourability values (one period of each open-ended
    clause). `own_balance` is what the applicant may draw from their own balance: cash,
    but no public money, so it is in none of the other sums."""

    low: Decimal
    high: Decimal | None
    value: Decimal
    granted: int
    open_ended: int
    monetary: int  # granted clauses with a lifetime total
    own_balance: Decimal = Decimal(0)
    # The same money by where its periods stand on the as-of date (`schedule.Timeline`):
    # owed for past periods, due for the current one, projected for those to come if the
    # continuing conditions keep holding. Each (low, high) as above; projected's high is
    # None when some schedule has no end or no ceiling.
    paid: tuple[Decimal, Decimal | None] = (Decimal(0), Decimal(0))
    due: tuple[Decimal, Decimal | None] = (Decimal(0), Decimal(0))
    projected: tuple[Decimal, Decimal | None] = (Decimal(0), Decimal(0))


@frozen(compiled_init=True)
class Decision:
    """The evaluation of one case against one policy at one date."""

    policy: m.Policy = field(repr=False, compare=False)
    case: Case = field(repr=False)
    as_of: dt.date
    results: tuple[ClauseResult, ...]

    @cached_property
    def id(self) -> str:
        """Deterministic: sha256 of the policy's sha256, the as-of date, the applicant's kind
        and its facts (canonical JSON), truncated to 16 hex digits."""
        facts = json.dumps({"kind": self.case.kind, "facts": canonical_facts(self.case)}, ensure_ascii=False,
                           sort_keys=True)
        text = f"{self.policy.sha256}\n{self.as_of.isoformat()}\n{facts}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def by_status(self, status: Status) -> tuple[ClauseResult, ...]:
        return tuple(r for r in self.results if r.status is status)

    def result(self, clause_id: str) -> ClauseResult:
        return next(r for r in self.results if r.clause.id == clause_id)

    @property
    def questions(self) -> tuple[str, ...]:
        """The facts to ask about, over every undetermined clause, in order of first need."""
        names = (f for r in self.results if r.status is Status.UNDETERMINED for f in r.missing_facts)
        return tuple(dict.fromkeys(names))

    @property
    def totals(self) -> Totals:
        low, high, value, open_ended, monetary = Decimal(0), Decimal(0), Decimal(0), 0, 0
        own = Decimal(0)
        phases = {name: [Decimal(0), Decimal(0)] for name in ("paid", "due", "projected")}
        granted = self.by_status(Status.GRANTED)
        for result in granted:
            payout, clause = result.amount, result.clause
            if payout is None or not clause.pays_money:
                continue
            if clause.own_balance:
                own += payout.value
                continue
            line = result.timeline or timeline(payout, self.as_of)
            value += favourability(payout, result.timeline)
            for name in phases:
                part_low, part_high = getattr(line, name)
                sums = phases[name]
                if clause.guaranteed:
                    sums[0] += part_low or 0
                sums[1] = None if sums[1] is None or part_high is None else sums[1] + part_high
            if line.future is None:  # no end: open-ended, and not ended by a stopped tail
                open_ended += 1
                high = None
                continue
            monetary += 1
            total_low, total_high = line.total
            if clause.guaranteed:
                low += total_low or 0
            high = None if high is None or total_high is None else high + total_high
        return Totals(low, high, value, len(granted), open_ended, monetary, own,
                      *(tuple(phases[name]) for name in ("paid", "due", "projected")))

