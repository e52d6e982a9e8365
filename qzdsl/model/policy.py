"""The compiled policy: resolved, typed, and independent of the surface syntax.

This is the one integration point. The Python evaluator, the SMT analyser and the SQL
backend all read these dataclasses; none of them reads the AST. Expressions are a small
typed IR (`Expr`); every node keeps the source text and span it came from, so traces can
quote the policy file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum

from qzdsl.diagnostics import Span


class Type(str, Enum):
    BOOL = "bool"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    ENUM = "enum"
    DURATION = "duration"
    NUMBER = "number"  # an untyped numeric literal: compatible with count and money


# ---- expressions ------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: bool | Decimal | dt.date | str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FactRef:
    name: str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DefRef:
    name: str
    type: Type
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AsOfRef:
    """The date the case is evaluated at (`as_of`)."""

    type: Type = Type.DATE
    text: str = "as_of"
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class And:
    operands: tuple["Expr", ...]
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Or:
    operands: tuple["Expr", ...]
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Cmp:
    """`left op right`; op is one of == != < <= > >=."""

    op: str
    left: "Expr"
    right: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class In:
    """Membership of an enumeration value in a set of members."""

    operand: "Expr"
    members: tuple[str, ...]
    negated: bool = False
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Shift:
    """A date moved by a calendar duration: `date + 3 years` (sign +1) or `- …` (sign -1)."""

    date: "Expr"
    amount: int
    unit: str  # "years" | "months" | "days"
    sign: int = 1
    type: Type = Type.DATE
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Arith:
    """Addition or subtraction of counts or of money."""

    op: str
    left: "Expr"
    right: "Expr"
    type: Type = Type.NUMBER
    text: str = ""
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Via:
    """`expr` holds because of an equivalence clause (同等待遇).

    It extends a definition for the equivalence's own beneficiaries only: for any other
    applicant kind every back end treats it as false."""

    clause: str
    operand: "Expr"
    type: Type = Type.BOOL
    text: str = ""
    span: Span | None = field(default=None, compare=False)


Expr = Const | FactRef | DefRef | AsOfRef | Not | And | Or | Cmp | In | Shift | Arith | Via


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


# ---- declarations -----------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of applicant (person, enterprise, mentor, community …)."""

    name: str
    label: str
    policy: str
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EnumMember:
    name: str
    label: str


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    type: Type
    kinds: tuple[str, ...]
    members: tuple[EnumMember, ...] = ()
    question: str | None = None
    policy: str = ""
    span: Span | None = field(default=None, compare=False)

    def member(self, name: str) -> EnumMember | None:
        return next((m for m in self.members if m.name == name), None)


@dataclass(frozen=True)
class Citation:
    """A verbatim quote of the source text, under its section heading."""

    section: str
    quote: str
    span: Span | None = field(default=None, compare=False)
    source_line: int | None = None  # line of the quote in the policy's source text


@dataclass(frozen=True)
class Ambiguity:
    question: str
    reading: str
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Window:
    """When a section's clauses may be granted.

    `end` is the last day inclusive (None: open). `after_end` is the recorded reading of
    what happens to grants made inside the window: "stop" (no payment after `end`) or
    "continue" (a grant whose start falls inside keeps running).
    """

    start: dt.date
    end: dt.date | None = None
    after_end: str = "stop"
    provision: Citation | None = None


@dataclass(frozen=True)
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


class AmountKind(str, Enum):
    FIXED = "fixed"  # exactly this much
    UP_TO = "up_to"  # 最高: a ceiling, the actual amount is discretionary
    AT_LEAST = "at_least"  # 不低于: a floor
    RANGE = "range"  # 10—30万元
    RULE = "rule"  # left to implementing or existing rules (按规定, 根据其销售额)
    NONE = "none"  # not monetary


@dataclass(frozen=True)
class AmountSpec:
    """How much a clause pays per period, for how many periods, and from when.

    `low`/`high`: the per-period, per-head rate (FIXED and AT_LEAST use `low`; UP_TO uses
    `high`; RANGE both). `cadence` is "once", "years" or "months". `per_head` names a
    count fact or definition multiplying the rate. `cap` limits the amount per period
    (`cap_scope` = the cadence) or over the whole entitlement ("total").
    `max_periods` is the maximum duration expressed in cadence periods. `anchor` is the
    date fact the schedule starts from; `calendar_year` means "from that year" (当年起).
    `fact` names a money fact whose value is the rate (FIXED: exactly it, UP_TO: at most
    it): an amount set outside this text, e.g. what an existing policy pays the applicant.
    """

    kind: AmountKind
    low: Decimal | None = None
    high: Decimal | None = None
    cadence: str = "once"
    per_head: str | None = None
    cap: Decimal | None = None
    cap_scope: str | None = None
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

    @property
    def monetary(self) -> bool:
        return self.kind not in (AmountKind.NONE,)

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

    @property
    def ceiling(self) -> Decimal | None:
        """The most one period can pay per head (None: unbounded or unknown)."""
        if self.kind in (AmountKind.FIXED, AmountKind.AT_LEAST):
            return self.low
        if self.kind in (AmountKind.UP_TO, AmountKind.RANGE):
            return self.high
        return None


@dataclass(frozen=True)
class Clause:
    """One grant of the policy: a benefit (money), an entitlement (non-monetary), a
    reference to an existing policy, or an equivalence (同等待遇)."""

    id: str
    kind: str  # "benefit" | "entitlement" | "reference" | "equivalence"
    title: str
    policy: str  # the document number of the policy it belongs to
    section: str
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
    grants: str | None = None
    existing: str | None = None
    extends: str | None = None
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    lead: str | None = None
    span: Span | None = field(default=None, compare=False)

    @property
    def ref(self) -> str:
        return self.section

    @property
    def pays_money(self) -> bool:
        """Whether the clause's amount is cash paid out. An entitlement's amount (a loan
        guarantee of 10—30万元) sizes what is granted but is not paid, so it counts in no
        total or fiscal exposure."""
        return self.kind == "benefit" and self.amount.kind not in (AmountKind.RULE, AmountKind.NONE)

    @property
    def quote(self) -> str:
        return "……".join(c.quote for c in self.citations)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Aside:
    """A source sentence that mentions money or a grant but is deliberately not a payout."""

    id: str
    title: str
    reason: str
    section: str
    citations: tuple[Citation, ...] = ()
    policy: str = ""
    span: Span | None = field(default=None, compare=False)


# The words each `principle` stands for, as the text writes them.
PRINCIPLES = {"most_favourable": "从优、从高、不重复"}


@dataclass(frozen=True)
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

    @property
    def principle_provision(self) -> Citation | None:
        """The header's citation that states its principle: the one quoting its words."""
        words = PRINCIPLES.get(self.principle or "")
        return next((c for c in self.citations if words and words in c.quote), None)


@dataclass(frozen=True)
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

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)

    def clauses_for(self, kind: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.beneficiary == kind)

    def label(self, name: str) -> str:
        """The Chinese label of a fact, definition, kind or clause."""
        for table in (self.facts, self.definitions, self.kinds):
            if name in table:
                return table[name].label
        for clause in self.clauses:
            if clause.id == name:
                return clause.title
        return name

    def conflicts(self, a: Clause, b: Clause) -> bool:
        """Whether 从优、从高、不重复 forbids paying both `a` and `b`.

        They conflict when they share an exclusion group or one declares `excludes` the
        other, unless either declares the other `stackable`.
        """
        if a.id == b.id:
            return False
        if b.id in a.stackable or a.id in b.stackable:
            return False
        return bool(set(a.groups) & set(b.groups)) or b.id in a.excludes or a.id in b.excludes
