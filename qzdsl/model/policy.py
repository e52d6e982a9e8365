"""The compiled policy: resolved, typed, and independent of the surface syntax.

This is the one integration point. The Python evaluator, the SMT analyser and the SQL
backend all read these dataclasses; none of them reads the AST. Expressions are a small
typed IR (`Expr`); every node keeps the source text and span it came from, so traces can
quote the policy file.

The model also states the rules every back end shares, so that none of them works them
out again from raw fields: whether a clause pays a computable amount (`AmountSpec.computable`,
`Clause.pays_money`), its caps per period and in total, when its window stops and whether
that cuts its schedule (`Window.stops`, `Clause.cut_by_window`), whom an equivalence serves
(`Via.applies_to`), a clause's section key, the definitions and facts an expression reaches
(`reach`), and one way to dispatch on expression nodes (`ExprVisitor`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field, replace
from decimal import Decimal
from enum import Enum, StrEnum
from functools import cached_property
from typing import ClassVar, Generic, TypeVar

from qzdsl.diagnostics import Span
from qzdsl.frozen import frozen


class Type(str, Enum):
    BOOL = "bool"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    ENUM = "enum"
    DURATION = "duration"
    NUMBER = "number"  # an untyped numeric literal: compatible with count and money


class Cadence(StrEnum):
    """How often an amount is paid."""

    ONCE = "once"
    YEARS = "years"
    MONTHS = "months"

    @property
    def recurring(self) -> bool:
        return self is not Cadence.ONCE

    @property
    def months(self) -> int | None:
        """The length of one period in months (None: a one-off has no period)."""
        return {Cadence.YEARS: 12, Cadence.MONTHS: 1}.get(self)

    @property
    def periods_in_a_year(self) -> int:
        """How many periods a grant's first year pays at most (a one-off: its one)."""
        return 12 if self is Cadence.MONTHS else 1


class CapScope(StrEnum):
    """What a cap limits: one period of the amount's cadence, or the whole entitlement."""

    ONCE = "once"
    YEARS = "years"
    MONTHS = "months"
    TOTAL = "total"


class AfterEnd(StrEnum):
    """The recorded reading of what happens, when a section's trial window ends, to grants
    made inside it: payments stop, or a grant that started inside keeps running."""

    STOP = "stop"
    CONTINUE = "continue"


class ClauseKind(StrEnum):
    BENEFIT = "benefit"  # money
    ENTITLEMENT = "entitlement"  # a right that is not (only) money
    REFERENCE = "reference"  # an existing policy applies
    EQUIVALENCE = "equivalence"  # 同等待遇: extends a definition to another applicant


class Status(StrEnum):
    """The verdict on one clause for one applicant, in every back end."""

    GRANTED = "granted"
    EXCLUDED = "excluded"  # granted by its requirement, but a more favourable conflicting clause won
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"  # facts are missing
    NOT_IN_FORCE = "not_in_force"


class PeriodState(StrEnum):
    """Where one period of a granted schedule stands on the as-of date, in every back end."""

    PAID = "paid"  # past, and its conditions held: owed for a period already over
    DUE = "due"  # the current period, its conditions holding on the as-of facts
    PROJECTED = "projected"  # future: paid if the continuing conditions keep holding
    STOPPED = "stopped"  # a continuing condition failed in this period: nothing is paid for it
    UNDETERMINED = "undetermined"  # facts for this period are missing: never silently paid

    @property
    def pays(self) -> bool:
        return self in (PeriodState.PAID, PeriodState.DUE, PeriodState.PROJECTED)


class Relation(StrEnum):
    """A relation between two clauses. The first four are declared by the policy; the
    audit decides the last two."""

    SAME_GROUP = "same_group"
    EXCLUDES = "excludes"
    STACKABLE = "stackable"
    EQUIVALENCE = "equivalence"  # an equivalence extends a definition another clause's requirement uses
    OVERLAP = "overlap"  # both can be granted to one applicant in one period
    DOMINATES = "dominates"

    @property
    def declared(self) -> bool:
        return self in _DECLARED

    @property
    def directed(self) -> bool:
        return self in _DIRECTED


class PairRule(StrEnum):
    """What 从优、从高、不重复 does with two clauses granted to one applicant."""

    CONFLICT = "conflict"  # one is paid, the most favourable
    STACKABLE = "stackable"  # declared: both are paid
    NONE = "none"  # nothing declared


_DECLARED = frozenset({Relation.SAME_GROUP, Relation.EXCLUDES, Relation.STACKABLE, Relation.EQUIVALENCE})
_DIRECTED = frozenset({Relation.EXCLUDES, Relation.STACKABLE, Relation.EQUIVALENCE, Relation.DOMINATES})


# ---- expressions ------------------------------------------------------------


@frozen(cache_hash=True)
class Const:
    value: bool | Decimal | dt.date | str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class FactRef:
    name: str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class DefRef:
    name: str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class AsOfRef:
    """The date the case is evaluated at (`as_of`)."""

    type: Type = Type.DATE
    text: str = "as_of"
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Not:
    operand: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class And:
    operands: tuple["Expr", ...]
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Or:
    operands: tuple["Expr", ...]
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Cmp:
    """`left op right`; op is one of == != < <= > >=."""

    op: str
    left: "Expr"
    right: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class In:
    """Membership of an enumeration value in a set of members."""

    operand: "Expr"
    members: tuple[str, ...]
    negated: bool = False
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Shift:
    """A date moved by a calendar duration: `date + 3 years` (sign +1) or `- …` (sign -1)."""

    date: "Expr"
    amount: int
    unit: str  # "years" | "months" | "days"
    sign: int = 1
    type: Type = Type.DATE
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Arith:
    """Addition or subtraction of counts or of money."""

    op: str
    left: "Expr"
    right: "Expr"
    type: Type = Type.NUMBER
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@frozen(cache_hash=True)
class Via:
    """`expr` holds because of an equivalence clause (同等待遇) granted to `beneficiary`.

    It extends a definition for the equivalence's own beneficiaries only: for any other
    applicant kind it is false (`applies_to`), in every back end."""

    clause: str
    beneficiary: str | None
    operand: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)

    def applies_to(self, kind: str | None) -> bool:
        return self.beneficiary == kind


Expr = Const | FactRef | DefRef | AsOfRef | Not | And | Or | Cmp | In | Shift | Arith | Via
NODE_TYPES: tuple[type, ...] = (Const, FactRef, DefRef, AsOfRef, Not, And, Or, Cmp, In, Shift, Arith, Via)


class AtomRole(StrEnum):
    """What a conjunct of when a clause applies stands for."""

    REQUIRES = "requires"  # a conjunct of the clause's requirement (`expr`)
    WINDOW_START = "window_start"  # the entitlement date is not before the window opens
    WINDOW_END = "window_end"  # the entitlement date is not after the window closes
    WINDOW_STOP = "window_stop"  # the case is evaluated before the window stops payment
    BENEFICIARY = "beneficiary"  # the clause is granted to one applicant kind (`kind`)


@frozen(cache_hash=True)
class Atom:
    """One conjunct of when a clause applies, as the audit proves things about it: its
    condition (`expr`, a comparison for a window bound; None for the beneficiary), what
    it stands for (`role`), and `text`, the conjunct written in the policy language for
    the technical sections. Reports phrase `expr` in words (`wording.conditions`)."""

    clause: str
    text: str
    span: Span | None = field(default=None, compare=False)
    expr: "Expr | None" = None
    role: AtomRole = AtomRole.REQUIRES
    kind: str | None = None  # the beneficiary, for BENEFICIARY

    @property
    def technical(self) -> str:
        return f"{self.clause}: {self.text}"


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, for generic walks."""
    match expr:
        case Not(operand=o) | Via(operand=o) | In(operand=o):
            return (o,)
        case And(operands=ops) | Or(operands=ops):
            return ops
        case Cmp(left=left, right=right) | Arith(left=left, right=right):
            return (left, right)
        case Shift(date=d):
            return (d,)
        case _:
            return ()


def walk(expr: Expr):
    """Every node of an expression, pre-order."""
    yield expr
    for child in children(expr):
        yield from walk(child)


EVERY_KIND = object()  # `reach` for no applicant kind in particular: every equivalence counts


def reach(roots: Iterable[Expr], definition: Callable[[str], Expr | None],
          kind: str | None | object = EVERY_KIND) -> Iterator[tuple[Expr, str | None]]:
    """Every node the expressions `roots` read, each with the definition it belongs to
    (None for a root's own nodes), pre-order, entering each definition once, where it is
    first referred to. `definition` looks a definition's expression up (None: unknown).

    For an applicant `kind`, an equivalence for another kind is false and reads nothing:
    it and its operand are skipped. This is the one walk over definitions: the facts a
    clause needs, the definitions a query computes, the equivalences a requirement uses."""
    entered: set[str] = set()

    def nodes(expr: Expr, owner: str | None) -> Iterator[tuple[Expr, str | None]]:
        if isinstance(expr, Via) and kind is not EVERY_KIND and not expr.applies_to(kind):
            return
        yield expr, owner
        if isinstance(expr, DefRef) and expr.name not in entered:
            entered.add(expr.name)
            inner = definition(expr.name)
            if inner is not None:
                yield from nodes(inner, expr.name)
        for child in children(expr):
            yield from nodes(child, owner)

    for root in roots:
        yield from nodes(root, None)


def facts_reached(nodes: Iterable[tuple[Expr, str | None]]) -> tuple[str, ...]:
    """The facts among `reach`'s nodes, in order of first use."""
    return tuple(dict.fromkeys(node.name for node, _ in nodes if isinstance(node, FactRef)))


def definitions_reached(nodes: Iterable[tuple[Expr, str | None]]) -> tuple[str, ...]:
    """The definitions among `reach`'s nodes, in the order they are entered."""
    return tuple(dict.fromkeys(node.name for node, _ in nodes if isinstance(node, DefRef)))


T = TypeVar("T")


class ExprVisitor(Generic[T]):
    """The one way to dispatch on expression nodes: `visit(node)` calls
    `visit_<NodeClass>(node)`, e.g. `visit_Cmp`.

    A concrete visitor must handle every node class: a class that lacks one fails when it
    is defined, not when a policy first uses the node. A partial visitor declares
    `partial=True` and gets `generic_visit` for the rest."""

    _dispatch: ClassVar[dict[type, Callable]] = {}

    def __init_subclass__(cls, partial: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [t.__name__ for t in NODE_TYPES if not hasattr(cls, f"visit_{t.__name__}")]
        if missing and not partial:
            raise TypeError(f"{cls.__name__} does not visit {', '.join(missing)}")
        cls._dispatch = {t: getattr(cls, f"visit_{t.__name__}", cls.generic_visit) for t in NODE_TYPES}

    def visit(self, node: Expr) -> T:
        return self._dispatch[type(node)](self, node)

    def generic_visit(self, node: Expr) -> T:
        raise TypeError(f"{type(self).__name__} cannot visit {type(node).__name__}")


# ---- declarations -----------------------------------------------------------


@frozen
class Kind:
    """A kind of applicant (person, enterprise, mentor, community …)."""

    name: str
    label: str
    policy: str
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)
    label_zh: str = ""  # the Chinese label (kept when the policy is shown in English)


@frozen
class Need:
    """A need clauses pay for (购房, 租房, 吸纳就业的用工成本 …): clauses paying one kind of
    applicant for one need are candidates for 从优、从高、不重复 across sections and policies."""

    name: str
    label: str
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)


@frozen
class EnumMember:
    name: str
    label: str
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)
    label_zh: str = ""


@frozen
class Fact:
    name: str
    label: str
    type: Type
    kinds: tuple[str, ...]
    members: tuple[EnumMember, ...] = ()
    question: str | None = None
    history: bool = False  # what the applicant already received or did (`history`)
    policy: str = ""
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)
    question_en: str | None = None

    def member(self, name: str) -> EnumMember | None:
        return next((m for m in self.members if m.name == name), None)


@frozen
class Citation:
    """A verbatim quote of the source text, under its section heading."""

    section: str
    quote: str
    span: Span | None = field(default=None, compare=False)
    source_line: int | None = None  # line of the quote in the policy's source text


@frozen
class Ambiguity:
    """A question the text leaves open and the reading the encoding records, each with its
    English words when the policy declares them (`Policy.in_language`)."""

    question: str
    reading: str
    span: Span | None = field(default=None, compare=False)
    question_en: str | None = None
    reading_en: str | None = None


@frozen
class Definition:
    name: str
    label: str
    type: Type
    expr: Expr
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    policy: str = ""
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)


@frozen
class Window:
    """When a section's clauses may be granted.

    `end` is the last day inclusive (None: open). `after_end` is the recorded reading of
    what happens to grants made inside the window: STOP (no payment after `end`) or
    CONTINUE (a grant whose start falls inside keeps running). `other_end` is the end under
    the other reading of the trial's start, which reports name beside the chosen one.
    """

    start: dt.date
    end: dt.date | None = None
    after_end: AfterEnd = AfterEnd.STOP
    provision: Citation | None = None
    # The trial's last day under the other reading of when it starts (from the policy's
    # in-force date instead of the date its measures apply from, or the other way round);
    # None when the two dates are one, or the trial starts on a date of its own.
    other_end: dt.date | None = None

    def __post_init__(self):
        object.__setattr__(self, "after_end", AfterEnd(self.after_end))

    @property
    def stops(self) -> bool:
        """Whether nothing is paid after the window's end: it has one, read as STOP."""
        return self.end is not None and self.after_end is AfterEnd.STOP

    @property
    def stop(self) -> dt.date | None:
        """The last day anything is paid (None: payments do not stop with the window)."""
        return self.end if self.stops else None

    def stopped(self, as_of: dt.date) -> bool:
        """Whether the window has stopped all payment by `as_of` (the clause is not in force)."""
        return self.stops and as_of > self.end

    def contains(self, date: dt.date) -> bool:
        """Whether an entitlement date falls inside the window."""
        return self.start <= date and (self.end is None or date <= self.end)


@frozen
class Section:
    ref: str  # e.g. "二（十）"
    title: str
    lead: str | None
    units: tuple[str, ...]
    window: Window
    policy: str = ""
    trial_text: str | None = None  # the trial as written, e.g. "3 years from applies_from"
    ambiguities: tuple[Ambiguity, ...] = ()
    span: Span | None = field(default=None, compare=False)
    title_en: str | None = None


class AmountKind(str, Enum):
    FIXED = "fixed"  # exactly this much
    UP_TO = "up_to"  # 最高: a ceiling, the actual amount is discretionary
    AT_LEAST = "at_least"  # 不低于: a floor
    RANGE = "range"  # 10—30万元
    RULE = "rule"  # left to implementing or existing rules (按规定, 根据其销售额)
    NONE = "none"  # not monetary


@frozen
class AmountSpec:
    """How much a clause pays per period, for how many periods, and from when.

    `low`/`high`: the per-period, per-head rate (FIXED and AT_LEAST use `low`; UP_TO uses
    `high`; RANGE both). `per_head` names a count fact or definition multiplying the rate.
    `cap` limits the amount per period (`cap_scope` = the cadence) or over the whole
    entitlement (TOTAL): read it through `per_period_cap` and `total_cap`.
    `max_periods` is the maximum duration expressed in cadence periods. `anchor` is the
    date fact the schedule starts from; `calendar_year` means "from that year" (当年起).
    `fact` names a money fact whose value is the rate (FIXED: exactly it, UP_TO: at most
    it): an amount set outside this text, e.g. what an existing policy pays the applicant.
    """

    kind: AmountKind
    low: Decimal | None = None
    high: Decimal | None = None
    cadence: Cadence = Cadence.ONCE
    per_head: str | None = None
    cap: Decimal | None = None
    cap_scope: CapScope | None = None
    max_periods: int | None = None
    max_text: str | None = None  # the maximum duration as written, e.g. "10 years"
    anchor: str | None = None
    calendar_year: bool = False
    rule: str | None = None
    fact: str | None = None

    def with_rate(self, value: Decimal) -> "AmountSpec":
        """This amount with its rate fact replaced by the case's value of it."""
        if self.kind is AmountKind.UP_TO:
            return replace(self, high=value, fact=None)
        return replace(self, low=value, fact=None)

    @property
    def amount_facts(self) -> tuple[str, ...]:
        """The facts or definitions the amount reads: its rate, its head count."""
        return tuple(n for n in (self.fact, self.per_head) if n is not None)

    def __post_init__(self):
        # Built by hand (a test, a library user), a cadence may come as its word.
        object.__setattr__(self, "cadence", Cadence(self.cadence))
        if self.cap_scope is not None:
            object.__setattr__(self, "cap_scope", CapScope(self.cap_scope))

    @property
    def computable(self) -> bool:
        """Whether the amount can be computed: not non-monetary, not left to a rule. Only
        such an amount has a payout, a schedule and result columns."""
        return self.kind not in (AmountKind.RULE, AmountKind.NONE)

    @property
    def per_period_cap(self) -> Decimal | None:
        """The cap on one period: a cap whose scope is the cadence, or the total cap of a
        one-off amount, whose one period is its whole (min(balance, 4万) for a withdrawal)."""
        if self.cap is None:
            return None
        one_off = not self.cadence.recurring and self.cap_scope is CapScope.TOTAL
        return self.cap if self.cap_scope == self.cadence or one_off else None

    @property
    def total_cap(self) -> Decimal | None:
        """The cap on the lifetime sum."""
        return self.cap if self.cap_scope is CapScope.TOTAL else None

    @property
    def max_count(self) -> int | None:
        """The most periods paid before any window cuts them (None: no maximum)."""
        return self.max_periods if self.cadence.recurring else 1

    @property
    def rate_bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """Per period and head: (the least it pays, the most it can pay); None = no bound.

        A ceiling (最高) guarantees nothing; a floor (不低于) caps nothing."""
        match self.kind:
            case AmountKind.FIXED:
                return self.low, self.low
            case AmountKind.UP_TO:
                return None, self.high
            case AmountKind.AT_LEAST:
                return self.low, None
        return self.low, self.high


@frozen
class Clause:
    """One grant of the policy: a benefit (money), an entitlement (non-monetary), a
    reference to an existing policy, or an equivalence (同等待遇)."""

    id: str
    kind: ClauseKind
    title: str
    policy: str  # the document number of the policy it belongs to
    section: str  # the section's reference as written, e.g. "二（十）"
    section_key: str  # its key in `Policy.sections` (see `Policy.section_key`)
    section_title: str
    beneficiary: str | None
    requires: Expr
    amount: AmountSpec
    window: Window
    order: int  # declaration order across the loaded policies: the deterministic tie-break
    channel: str | None = None
    groups: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    stackable: tuple[str, ...] = ()
    discretionary: bool = False
    own_balance: bool = False  # pays out the applicant's own balance, not new public money
    once_only: str | None = None  # granted once per beneficiary: the history fact saying it already was
    pays_for: tuple[str, ...] = ()  # the needs (`need`) it pays for
    grants: str | None = None
    existing: str | None = None
    extends: str | None = None
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    lead: str | None = None
    term: str | None = None  # the declared term it is paid within (`Policy.terms`)
    # Must hold in every period paid (`while`), judged on that period's facts; `requires`
    # is tested once, on the entitlement date. None: nothing continuing.
    continuing: Expr | None = None
    span: Span | None = field(default=None, compare=False)
    title_en: str | None = None
    section_title_en: str | None = None

    @property
    def ref(self) -> str:
        return self.section

    @cached_property
    def eligibility(self) -> Expr:
        """The requirement and the continuing condition together: what a snapshot of facts
        (a flat case, a batch row, an SMT model) must satisfy for the clause to be granted.
        On such facts the continuing condition holds in every period or in none."""
        if self.continuing is None:
            return self.requires
        return And((self.requires, self.continuing), text=f"({self.requires.text}) and ({self.continuing.text})",
                   span=self.span)

    @property
    def conditions(self) -> tuple[Expr, ...]:
        """The requirement, then the continuing condition when there is one."""
        return (self.requires,) if self.continuing is None else (self.requires, self.continuing)

    @property
    def computes_amount(self) -> bool:
        """Whether the clause has a computable amount (`AmountSpec.computable`): a payout,
        a schedule, amount columns in SQL, a candidate for overlap by need in the audit."""
        return self.amount.computable

    @property
    def pays_money(self) -> bool:
        """Whether the clause's amount is cash paid out. An entitlement's amount (a loan
        guarantee of 10—30万元) sizes what is granted but is not paid, so it counts in no
        total, favourability value or fiscal exposure."""
        return self.kind is ClauseKind.BENEFIT and self.computes_amount

    @property
    def cut_by_window(self) -> bool:
        """Whether the section's window can end the schedule: a recurring amount, dated
        from an anchor, in a window that stops."""
        return self.window.stops and self.amount.anchor is not None and self.amount.cadence.recurring

    @property
    def open_ended(self) -> bool:
        """Recurring with no maximum duration and not ended by a window: no lifetime total."""
        return self.amount.cadence.recurring and self.amount.max_periods is None and not self.cut_by_window

    @property
    def public_money(self) -> bool:
        """Whether the clause pays new public money: cash (`pays_money`) that is not the
        release of the applicant's own balance. Only such money counts in public totals."""
        return self.pays_money and not self.own_balance

    @property
    def guaranteed(self) -> bool:
        """Whether a grant of the clause is owed in full: not at an official's discretion
        (可给予), so totals count its low end as guaranteed; else only as "up to"."""
        return not self.discretionary

    @property
    def at_discretion(self) -> bool:
        """Whether what is actually paid is not fixed by the text: granted at an official's
        discretion, or "up to" (最高) a ceiling."""
        return self.discretionary or self.amount.kind is AmountKind.UP_TO

    @property
    def left_to_other_rules(self) -> bool:
        """Whether what is granted is decided elsewhere: a reference to an existing policy,
        or an amount left to implementing rules (按规定)."""
        return self.kind is ClauseKind.REFERENCE or self.amount.kind is AmountKind.RULE

    def applies_to(self, kind: str | None) -> bool:
        return self.beneficiary == kind

    @property
    def needs(self) -> tuple[str, ...]:
        """The names, besides its requirement, a clause reads: its anchor date, its
        per-head count and the money fact its rate is taken from (facts or definitions)."""
        return tuple(n for n in (self.amount.anchor, *self.amount.amount_facts) if n is not None)

    @property
    def quote(self) -> str:
        return "……".join(c.quote for c in self.citations)


@frozen
class Target:
    """A 目标任务 figure: at least `value` `unit` by `deadline`."""

    id: str
    title: str
    op: str
    value: Decimal
    unit: str | None
    deadline: dt.date | None
    deadline_text: str | None
    section: str
    lead: str | None
    units: tuple[str, ...]
    citations: tuple[Citation, ...] = ()
    policy: str = ""
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    span: Span | None = field(default=None, compare=False)
    title_en: str | None = None


@frozen
class Term:
    """A term of entitlement declared once and shared by the clauses paid within it
    (`term`, e.g. 两项补贴最长享受10年): `amount` `unit` from the date fact `anchor`. The
    compiler gives each clause within it its duration and start (`AmountSpec.max_periods`,
    `.anchor`), so every back end reads the same schedule."""

    name: str
    label: str
    amount: int
    unit: str  # "years" | "months"
    anchor: str
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)

    def bounds(self, start: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day of the term for an anchor date `start`."""
        from qzdsl.model.dates import last_day_of_period

        return start, last_day_of_period(start, self.amount, self.unit)


@frozen
class Aside:
    """A source sentence that mentions money or a grant but is deliberately not a payout."""

    id: str
    title: str
    reason: str
    section: str
    citations: tuple[Citation, ...] = ()
    policy: str = ""
    span: Span | None = field(default=None, compare=False)
    title_en: str | None = None


# The words each `principle` stands for, as the text writes them.
PRINCIPLES = {"most_favourable": "从优、从高、不重复"}


@frozen
class Group:
    """An exclusion group: clauses that meet one need, of which 从优、从高、不重复 pays one."""

    name: str
    label: str
    policy: str = ""
    span: Span | None = field(default=None, compare=False)
    label_en: str | None = None  # the English label, when the policy declares one (`en "…"`)


@frozen
class PolicyInfo:
    doc_number: str
    title: str
    issued: dt.date | None
    in_force: dt.date | None
    applies_from: dt.date
    principle: str | None  # "most_favourable" = 从优、从高、不重复
    source_path: str | None
    citations: tuple[Citation, ...] = ()
    path: str = ""
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    title_en: str | None = None

    @property
    def principle_provision(self) -> Citation | None:
        """The header's citation that states its principle: the one quoting its words."""
        words = PRINCIPLES.get(self.principle or "")
        return next((c for c in self.citations if words and words in c.quote), None)


def section_key(doc_number: str, ref: str, main_doc_number: str) -> str:
    """The key of a section in `Policy.sections`: imported sections carry their document."""
    return ref if doc_number == main_doc_number else f"{doc_number} {ref}"


@frozen
class Policy:
    """Everything the back ends need. `info` is the main file's header; `imports`
    the headers of imported policies, in load order."""

    info: PolicyInfo
    imports: tuple[PolicyInfo, ...]
    kinds: dict[str, Kind]
    facts: dict[str, Fact]
    definitions: dict[str, Definition]
    sections: dict[str, Section]
    clauses: tuple[Clause, ...]
    targets: tuple[Target, ...]
    asides: tuple[Aside, ...]
    sha256: str  # of the policy files' text, in load order
    source_text: str | None = None  # the official text of the main policy
    files: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    groups: dict[str, "Group"] = field(default_factory=dict)  # exclusion groups that are declared
    needs: dict[str, Need] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)
    notes_en: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # note -> its English

    def term_of(self, clause: Clause) -> Term | None:
        """The declared term a clause is paid within, if any."""
        return self.terms.get(clause.term) if clause.term else None

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)

    def clauses_for(self, kind: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.beneficiary == kind)

    @property
    def evaluated_clauses(self) -> tuple[Clause, ...]:
        """The clauses a case can be evaluated against: those granted to a declared kind."""
        return tuple(c for c in self.clauses if c.beneficiary in self.kinds)

    def section_key(self, doc_number: str, ref: str) -> str:
        return section_key(doc_number, ref, self.info.doc_number)

    def section_of(self, clause: Clause) -> Section | None:
        return self.sections.get(clause.section_key)

    def definition_expr(self, name: str) -> Expr | None:
        definition = self.definitions.get(name)
        return definition.expr if definition is not None else None

    def reach(self, roots: Iterable[Expr | str], kind: str | None | object = EVERY_KIND):
        """`reach` over this policy's definitions; a root may also be a fact's or a
        definition's name (a clause's anchor date or head count)."""
        exprs = [self.named(r) if isinstance(r, str) else r for r in roots]
        return reach(exprs, self.definition_expr, kind)

    def named(self, name: str) -> Expr:
        """A fact or definition, by its name, as an expression."""
        if name in self.facts:
            return FactRef(name, self.facts[name].type, name)
        return DefRef(name, self.definitions[name].type, name)

    def facts_of(self, clause: Clause) -> tuple[str, ...]:
        """Every fact deciding a clause for its own beneficiary (requirement, anchor date,
        head count), through definitions, in order of first use."""
        return facts_reached(self.reach((*clause.conditions, *clause.needs), clause.beneficiary))

    def continuing_facts(self, clause: Clause) -> tuple[str, ...]:
        """The facts its continuing condition (`while`) reads, judged period by period."""
        if clause.continuing is None:
            return ()
        return facts_reached(self.reach((clause.continuing,), clause.beneficiary))

    def amount_facts(self, clause: Clause) -> tuple[str, ...]:
        """The facts its head count and rate read: period by period when they change over
        time (docs/language.md, "Conditions over time")."""
        return facts_reached(self.reach(clause.amount.amount_facts, clause.beneficiary))

    def facts_over_time(self, kind: str) -> tuple[str, ...]:
        """The facts of `kind` a case may usefully give over time (`{date: value}`): those
        read period by period by a continuing condition or by a recurring amount's head
        count or rate, in declaration order. Other facts are read on one date."""
        found: set[str] = set()
        for clause in self.clauses_for(kind):
            found.update(self.continuing_facts(clause))
            if clause.amount.cadence.recurring:
                found.update(self.amount_facts(clause))
        return tuple(name for name in self.facts if name in found and kind in self.facts[name].kinds)

    def equivalences_used(self, clause: Clause) -> tuple[tuple[str, str], ...]:
        """(equivalence clause, the definition it extends) for every equivalence the
        clause's requirement reaches through a definition, in the order it is reached."""
        nodes = list(self.reach(clause.conditions))
        order = {name: i for i, name in enumerate(definitions_reached(nodes))}
        vias = [(node.clause, owner) for node, owner in nodes if isinstance(node, Via) and owner is not None]
        return tuple(dict.fromkeys(sorted(vias, key=lambda pair: order[pair[1]])))

    def label(self, name: str) -> str:
        """The Chinese label of a fact, definition, kind or clause."""
        for table in (self.facts, self.definitions, self.kinds, self.needs):
            if name in table:
                return table[name].label
        for clause in self.clauses:
            if clause.id == name:
                return clause.title
        return name

    def in_language(self, lang: str) -> "Policy":
        """The policy as a reader of `lang` sees it: for "en", every label, title and
        question the policy declares in English replaces the Chinese one (a declaration
        without an English label keeps its Chinese one). Nothing a back end decides on
        changes; verbatim quotes stay as written (the Chinese text is the authority);
        recorded readings, ambiguity questions and notes are in English where the policy
        declares their English words (`note "…" en "…"`). Any other language: the policy itself."""
        if lang != "en":
            return self
        cached = self.__dict__.get("_english")
        if cached is None:
            cached = self._english()
            object.__setattr__(self, "_english", cached)  # frozen: the translation is made once
        return cached

    def _english(self) -> "Policy":
        def en(obj, field_name: str = "label", english: str = "label_en"):
            text = getattr(obj, english)
            return replace(obj, **{field_name: text}) if text else obj

        def readings(obj):
            """Its notes and ambiguities in English, where the policy gives the words."""
            changes = {}
            if getattr(obj, "notes", None):
                changes["notes"] = tuple(self.notes_en.get(note, note) for note in obj.notes)
            if getattr(obj, "ambiguities", None):
                changes["ambiguities"] = tuple(
                    replace(a, question=a.question_en or a.question, reading=a.reading_en or a.reading)
                    for a in obj.ambiguities)
            return replace(obj, **changes) if changes else obj

        sections = {key: readings(en(section, "title", "title_en")) for key, section in self.sections.items()}
        facts = {}
        for name, fact in self.facts.items():
            fact = replace(en(fact), members=tuple(en(member) for member in fact.members))
            facts[name] = readings(en(fact, "question", "question_en"))
        clauses = tuple(readings(replace(en(clause, "title", "title_en"),
                                         section_title=clause.section_title_en or clause.section_title))
                        for clause in self.clauses)
        return replace(
            self,
            info=readings(en(self.info, "title", "title_en")),
            imports=tuple(readings(en(info, "title", "title_en")) for info in self.imports),
            kinds={name: en(kind) for name, kind in self.kinds.items()},
            facts=facts,
            definitions={name: readings(en(definition)) for name, definition in self.definitions.items()},
            sections=sections,
            clauses=clauses,
            targets=tuple(readings(en(target, "title", "title_en")) for target in self.targets),
            asides=tuple(readings(en(aside, "title", "title_en")) for aside in self.asides),
            groups={name: en(group) for name, group in self.groups.items()},
            terms={name: readings(en(term)) for name, term in self.terms.items()},
            needs={name: en(need) for name, need in self.needs.items()},
        )

    def group_label(self, name: str) -> str | None:
        """The label of an exclusion group, when the policy declares one."""
        group = self.groups.get(name)
        return group.label if group is not None else None

    def conflicts(self, a: Clause, b: Clause) -> bool:
        """Whether 从优、从高、不重复 forbids paying both `a` and `b`.

        They conflict when they are related (a shared exclusion group, or one declares
        `excludes` the other), unless either declares the other `stackable`.
        """
        return a.id != b.id and self.related(a, b) and not self.stackable(a, b)

    @staticmethod
    def related(a: Clause, b: Clause) -> bool:
        """Whether `a` and `b` share an exclusion group or one excludes the other."""
        return any(g in b.groups for g in a.groups) or b.id in a.excludes or a.id in b.excludes

    @staticmethod
    def stackable(a: Clause, b: Clause) -> bool:
        """Whether either declares the other `stackable` (both are paid)."""
        return b.id in a.stackable or a.id in b.stackable

    def pair_rule(self, a: Clause, b: Clause) -> "PairRule":
        """What 从优、从高、不重复 does with a pair granted together."""
        if self.conflicts(a, b):
            return PairRule.CONFLICT
        return PairRule.STACKABLE if self.stackable(a, b) else PairRule.NONE
