"""The typed syntax tree of a policy file, as written (names unresolved, types unchecked).

Every node carries a `span`; spans are excluded from equality so that
`parse(fmt(x)) == parse(x)` compares meaning, not layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from qzdsl.diagnostics import Span

_NO_SPAN = Span("", 0, 0, 0, 0)


def _span() -> Span:
    return field(default=_NO_SPAN, compare=False, repr=False)


# ---- literals ---------------------------------------------------------------


@dataclass(frozen=True)
class DateText:
    """A date as written; `value` is None when it is not a real calendar date."""

    text: str
    span: Span = _span()

    @property
    def value(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.text)
        except ValueError:
            return None


@dataclass(frozen=True)
class Money:
    """An exact amount in yuan; `text` keeps the spelling (e.g. ``2万``)."""

    value: Decimal
    text: str = field(default="", compare=False)
    span: Span = _span()


# ---- expressions ------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Number:
    value: Decimal
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True)
class DateLit:
    date: DateText
    span: Span = _span()


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "years" | "months" | "days"
    span: Span = _span()


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class AsOf:
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Member:
    operand: "Expr"
    members: tuple[Name, ...]
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Arith:
    op: str  # "+" | "-"
    left: "Expr"
    right: "Expr"
    span: Span = _span()


Expr = Name | Number | DateLit | Duration | Bool | AsOf | Not | BoolOp | Compare | Member | Arith


# ---- properties -------------------------------------------------------------
# Each property is introduced by its keyword; `KEYWORD` names it in messages.


@dataclass(frozen=True)
class Title:
    text: str
    span: Span = _span()
    text_en: str | None = None
    KEYWORD = "title"


@dataclass(frozen=True)
class SourceFile:
    path: str
    span: Span = _span()
    KEYWORD = "source"


@dataclass(frozen=True)
class Issued:
    date: DateText
    span: Span = _span()
    KEYWORD = "issued"


@dataclass(frozen=True)
class InForce:
    date: DateText
    span: Span = _span()
    KEYWORD = "in_force"


@dataclass(frozen=True)
class AppliesFrom:
    date: DateText
    span: Span = _span()
    KEYWORD = "applies_from"


@dataclass(frozen=True)
class Principle:
    name: str
    span: Span = _span()
    KEYWORD = "principle"


@dataclass(frozen=True)
class Lead:
    unit: str
    span: Span = _span()
    KEYWORD = "lead"


@dataclass(frozen=True)
class Units:
    units: tuple[str, ...]
    span: Span = _span()
    KEYWORD = "units"


@dataclass(frozen=True)
class Trial:
    amount: int
    unit: str
    anchor: str  # "applies_from" | "in_force" | an ISO date
    span: Span = _span()
    KEYWORD = "trial"


@dataclass(frozen=True)
class AfterTrial:
    mode: str  # "stop" | "continue"
    span: Span = _span()
    KEYWORD = "after_trial"


@dataclass(frozen=True)
class EnumMember:
    name: str
    label: str | None
    span: Span = _span()
    label_en: str | None = None


@dataclass(frozen=True)
class FactType:
    base: str  # "bool" | "count" | "money" | "date" | "enum"
    members: tuple[EnumMember, ...] = ()
    span: Span = _span()
    KEYWORD = "type"


@dataclass(frozen=True)
class Of:
    kinds: tuple[Name, ...]
    span: Span = _span()
    KEYWORD = "of"


@dataclass(frozen=True)
class Ask:
    text: str
    span: Span = _span()
    text_en: str | None = None
    KEYWORD = "ask"


@dataclass(frozen=True)
class Amount:
    bound: str | None  # None (fixed / range) | "up_to" | "at_least"
    low: Money
    high: Money | None  # set for a range "low to high"
    cadence: str | None  # "once" | "years" | "months"; None = once
    per_head: Name | None
    span: Span = _span()
    fact: Name | None = None  # the amount is this money fact's value (`low` is then None)
    KEYWORD = "amount"


@dataclass(frozen=True)
class Rule:
    text: str
    span: Span = _span()
    KEYWORD = "rule"


@dataclass(frozen=True)
class Cap:
    amount: Money
    scope: str  # "years" | "months" | "total"
    span: Span = _span()
    KEYWORD = "cap"


@dataclass(frozen=True)
class Max:
    amount: int
    unit: str
    span: Span = _span()
    KEYWORD = "max"


@dataclass(frozen=True)
class From:
    anchor: Name
    calendar_year: bool
    span: Span = _span()
    KEYWORD = "from"


@dataclass(frozen=True)
class To:
    kind: Name
    span: Span = _span()
    KEYWORD = "to"


@dataclass(frozen=True)
class Channel:
    text: str
    span: Span = _span()
    KEYWORD = "channel"


@dataclass(frozen=True)
class Requires:
    expr: Expr
    span: Span = _span()
    KEYWORD = "requires"


@dataclass(frozen=True)
class While:
    """A continuing condition: it must hold in every period a clause pays, where `requires`
    is tested once, on its entitlement date."""

    expr: Expr
    span: Span = _span()
    KEYWORD = "while"


@dataclass(frozen=True)
class Group:
    name: Name
    span: Span = _span()
    KEYWORD = "group"


@dataclass(frozen=True)
class Excludes:
    name: Name
    span: Span = _span()
    KEYWORD = "excludes"


@dataclass(frozen=True)
class Stackable:
    name: Name
    span: Span = _span()
    KEYWORD = "stackable"


@dataclass(frozen=True)
class Discretionary:
    span: Span = _span()
    KEYWORD = "discretionary"


@dataclass(frozen=True)
class OwnBalance:
    """The benefit releases the applicant's own balance: no new public money."""

    span: Span = _span()
    KEYWORD = "own_balance"


@dataclass(frozen=True)
class OnceOnly:
    """The clause is granted once per beneficiary: never when the named history fact
    (what the applicant already received or did) holds; unknown when it is unknown."""

    fact: Name
    span: Span = _span()
    KEYWORD = "once_only"


@dataclass(frozen=True)
class NeedProp:
    """The need a clause pays for (a declared `need`)."""

    need: Name
    span: Span = _span()
    KEYWORD = "need"


@dataclass(frozen=True)
class History:
    """The fact records the applicant's history: what they already received or did."""

    span: Span = _span()
    KEYWORD = "history"


@dataclass(frozen=True)
class Grants:
    text: str
    span: Span = _span()
    KEYWORD = "grants"


@dataclass(frozen=True)
class Existing:
    text: str
    span: Span = _span()
    KEYWORD = "existing"


@dataclass(frozen=True)
class Extends:
    name: Name
    span: Span = _span()
    KEYWORD = "extends"


@dataclass(frozen=True)
class Cite:
    quote: str
    section: str | None
    span: Span = _span()
    KEYWORD = "cite"


@dataclass(frozen=True)
class Note:
    text: str
    span: Span = _span()
    text_en: str | None = None  # the English words (`note "…" en "…"`)
    KEYWORD = "note"


@dataclass(frozen=True)
class Ambiguity:
    question: str
    reading: str
    span: Span = _span()
    question_en: str | None = None  # the English words (`ambiguity "…" en "…" reading "…" en "…"`)
    reading_en: str | None = None
    KEYWORD = "ambiguity"


@dataclass(frozen=True)
class Goal:
    op: str
    value: Money
    unit: str | None  # "人", "家", "%" …
    span: Span = _span()
    KEYWORD = "goal"


@dataclass(frozen=True)
class By:
    date: DateText | None
    year: int | None
    span: Span = _span()
    KEYWORD = "by"


@dataclass(frozen=True)
class Within:
    """A deadline `amount unit` after `anchor` (applies_from, in_force or an ISO date;
    None: in_force)."""

    amount: int
    unit: str
    anchor: str | None = None
    span: Span = _span()
    KEYWORD = "within"


@dataclass(frozen=True)
class TermRef:
    """A clause paid within a declared term (`term NAME`): its duration and start are the term's."""

    name: Name
    span: Span = _span()
    KEYWORD = "term"


@dataclass(frozen=True)
class Reason:
    text: str
    span: Span = _span()
    KEYWORD = "reason"


Prop = (
    Title | SourceFile | Issued | InForce | AppliesFrom | Principle | Lead | Units | Trial
    | AfterTrial | FactType | Of | Ask | Amount | Rule | Cap | Max | From | To | Channel
    | Requires | While | Group | Excludes | Stackable | Discretionary | OwnBalance | OnceOnly | History | NeedProp
    | Grants | Existing | Extends
    | Cite | Note | Ambiguity | Goal | By | Within | TermRef | Reason
)


# ---- declarations -----------------------------------------------------------


@dataclass(frozen=True)
class Import:
    path: str
    span: Span = _span()
    KEYWORD = "import"


@dataclass(frozen=True)
class PolicyDecl:
    doc_number: str
    props: tuple[Prop, ...]
    span: Span = _span()
    KEYWORD = "policy"


@dataclass(frozen=True)
class KindDecl:
    name: str
    label: str | None
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "kind"


@dataclass(frozen=True)
class NeedDecl:
    """A need clauses pay for (购房, 租房, 吸纳就业的用工成本 …), declared once per policy
    file that uses it; clauses that pay the same kind of applicant for the same need are
    candidates for 从优、从高、不重复 (the audit pairs them across sections and policies)."""

    name: str
    label: str | None
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "need"


@dataclass(frozen=True)
class SectionDecl:
    ref: str
    title: str
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    mode: str | None = None  # "amend", "replace" or "repeal" in a reform; None: a declaration
    title_en: str | None = None
    KEYWORD = "section"


@dataclass(frozen=True)
class FactDecl:
    name: str
    label: str | None
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "fact"


@dataclass(frozen=True)
class DefineDecl:
    name: str
    label: str | None
    expr: Expr
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "define"


CLAUSE_KINDS = ("benefit", "entitlement", "reference", "equivalence")


@dataclass(frozen=True)
class ClauseDecl:
    kind: str  # one of CLAUSE_KINDS
    name: str
    label: str | None
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    mode: str | None = None  # "amend", "replace" or "repeal" in a reform; None: a declaration
    label_en: str | None = None

    @property
    def KEYWORD(self) -> str:  # noqa: N802 - mirrors the class attribute of other declarations
        return self.kind


@dataclass(frozen=True)
class TargetDecl:
    name: str
    label: str | None
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "target"


@dataclass(frozen=True)
class AsideDecl:
    """A cited sentence that is deliberately not a payout (e.g. a reform to explore)."""

    name: str
    label: str | None
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "aside"


@dataclass(frozen=True)
class GroupDecl:
    """An exclusion group's label: the need its clauses meet (clauses join it by `group NAME`)."""

    name: str
    label: str | None
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None
    KEYWORD = "group"


@dataclass(frozen=True)
class TermDecl:
    """A term of entitlement several clauses share (两项补贴最长享受10年): `max` and `from`."""

    name: str
    label: str | None
    props: tuple[Prop, ...]
    span: Span = _span()
    name_span: Span = _span()
    label_en: str | None = None  # the English label (`en "…"`)
    KEYWORD = "term"


Decl = (Import | PolicyDecl | KindDecl | NeedDecl | SectionDecl | FactDecl | DefineDecl | ClauseDecl | TargetDecl
        | AsideDecl | GroupDecl | TermDecl)


@dataclass(frozen=True)
class Comment:
    text: str  # including the leading '#'
    line: int


@dataclass(frozen=True)
class PolicyFile:
    path: str
    text: str = field(compare=False, repr=False)
    decls: tuple[Decl, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)


def children(node: Expr) -> tuple[Expr, ...]:
    """The operands of an expression node (none for a name or a literal)."""
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, (Not, Member)):
        return (node.operand,)
    if isinstance(node, (Compare, Arith)):
        return (node.left, node.right)
    return ()


def props_of(decl: Decl) -> tuple[Prop, ...]:
    return getattr(decl, "props", ())


def first(props: tuple[Prop, ...], kind: type) -> Prop | None:
    """The first property of the given class, or None."""
    return next((p for p in props if isinstance(p, kind)), None)


def all_of(props: tuple[Prop, ...], kind: type) -> list:
    return [p for p in props if isinstance(p, kind)]
