"""The compiled policy as one SQL query: for every row of a table of cases, each clause's
status and amounts, 从优、从高、不重复 included.

The query is a sqlglot expression tree, so one compilation is emitted for DuckDB (the
embedded batch runner), Spark SQL or Trino. It reads a table with the columns

    row_id, kind, as_of DATE, and one column per fact:
    BOOLEAN (bool), BIGINT (count), DECIMAL(18,2) (money), DATE, VARCHAR (enum member name)

and returns `row_id`, `kind`, `as_of`, per clause the columns named by `clause_columns`,
and any input columns it is asked to carry through. A NULL fact is an unknown fact: SQL's AND, OR and NOT on NULL are
Kleene's three-valued logic, which is what the evaluator uses, so a requirement that is
NULL is undetermined and one that is FALSE is ineligible.

The semantics are those of `qzdsl.evaluator`, clause by clause; the property test
`tests/test_sql_equivalence.py` holds the two back ends together.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from qzdsl.model import policy as m
from qzdsl.backends.sql.columns import MONEY_TYPE, PHASE_PARTS, ConflictGroup, clause_columns, \
    conflict_groups
from qzdsl.model.policy import Status
from qzdsl.wording.cli import Refusal

DIALECTS = ("duckdb", "spark", "trino")

_SQL_UNIT = {"years": "YEAR", "months": "MONTH", "days": "DAY"}


# ---- small builders ------------------------------------------------------------------


def col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _p(node: exp.Expression) -> exp.Expression:
    """Parenthesise an operator operand: sqlglot prints the tree as built, without the
    parentheses that precedence would need."""
    if isinstance(node, (exp.Binary, exp.Unary, exp.Predicate)) and not isinstance(node, exp.Paren):
        return exp.Paren(this=node)
    return node


def _bin(cls: type, left: exp.Expression, right: exp.Expression) -> exp.Expression:
    return cls(this=_p(left), expression=_p(right))


def _and(*operands: exp.Expression) -> exp.Expression:
    result = _p(operands[0])
    for operand in operands[1:]:
        result = exp.And(this=result, expression=_p(operand))
    return result


def _or(*operands: exp.Expression) -> exp.Expression:
    result = _p(operands[0])
    for operand in operands[1:]:
        result = exp.Or(this=result, expression=_p(operand))
    return result


def _not(operand: exp.Expression) -> exp.Expression:
    return exp.Not(this=_p(operand))


def _str(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def integer(value: int) -> exp.Expression:
    literal = exp.Literal.number(abs(value))
    return literal if value >= 0 else exp.Neg(this=literal)


def money(value: Decimal) -> exp.Expression:
    return exp.cast(exp.Literal.number(str(value)), MONEY_TYPE)


def date_literal(value: dt.date) -> exp.Expression:
    return exp.cast(_str(value.isoformat()), "DATE")


def null(type_: str) -> exp.Expression:
    return exp.cast(exp.Null(), type_)


def _is_null(operand: exp.Expression) -> exp.Expression:
    return exp.Is(this=_p(operand), expression=exp.Null())


def case_when(whens: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None = None) -> exp.Case:
    case = exp.Case()
    for condition, value in whens:
        case = case.when(condition, value, copy=False)
    return case.else_(default, copy=False) if default is not None else case


def _least(*values: exp.Expression) -> exp.Expression:
    return values[0] if len(values) == 1 else exp.Least(this=values[0], expressions=list(values[1:]))


def shift_date(date: exp.Expression, amount: exp.Expression, unit: str) -> exp.Expression:
    """`date` moved by `amount` calendar units. DuckDB's date + INTERVAL, Spark's
    ADD_MONTHS and Trino's DATE_ADD all clamp to the end of a shorter month, as
    `dates.shift` does; the cast keeps DuckDB's result a DATE, not a TIMESTAMP."""
    return exp.cast(exp.DateAdd(this=date, expression=amount, unit=exp.var(_SQL_UNIT[unit])), "DATE")


@dataclass(frozen=True)
class Literals:
    """SQL types for the status and clause-id values the query produces (None: text).
    DuckDB's batch runner gives ENUM types: a value is then one byte, not a string, in
    every buffer between the query and the Parquet writer."""

    status: str | None = None
    clause: str | None = None

    def status_value(self, status: Status) -> exp.Expression:
        return _typed_text(status.value, self.status)

    def clause_value(self, clause_id: str) -> exp.Expression:
        return _typed_text(clause_id, self.clause)


def _typed_null(type_: str | None) -> exp.Expression:
    return null("VARCHAR") if type_ is None else exp.Cast(this=exp.Null(), to=exp.DataType.build(type_, udt=True))


def _typed_text(text: str, type_: str | None) -> exp.Expression:
    literal = exp.Literal.string(text)
    return literal if type_ is None else exp.Cast(this=literal, to=exp.DataType.build(type_, udt=True))


# ---- expressions of the policy -------------------------------------------------------


class ExprCompiler(m.ExprVisitor[exp.Expression]):
    """Model expressions -> SQL expressions over the input table's columns, and over the
    columns of the definitions in `defined` (computed once per row by an earlier CTE);
    other definitions are inlined."""

    def __init__(self, policy: m.Policy, as_of: exp.Expression, defined: frozenset[str] = frozenset()):
        self.policy = policy
        self.as_of = as_of
        self.defined = defined

    def value(self, name: str) -> exp.Expression:
        """A fact or a definition by name (amount anchors and head counts may be either)."""
        if name in self.policy.facts:
            return col(name)
        if name in self.defined:
            return col(definition_column(name))
        return _p(self.visit(self.policy.definitions[name].expr))

    def visit_Const(self, node: m.Const) -> exp.Expression:
        match node.type:
            case m.Type.BOOL:
                return exp.true() if node.value else exp.false()
            case m.Type.DATE:
                return date_literal(node.value)
            case m.Type.ENUM:
                return _str(node.value)
            case m.Type.MONEY:
                return money(node.value)
        return exp.Literal.number(str(node.value))

    def visit_FactRef(self, node: m.FactRef) -> exp.Expression:
        return col(node.name)

    def visit_DefRef(self, node: m.DefRef) -> exp.Expression:
        return self.value(node.name)

    def visit_AsOfRef(self, node: m.AsOfRef) -> exp.Expression:
        return self.as_of

    def visit_Not(self, node: m.Not) -> exp.Expression:
        return _not(self.visit(node.operand))

    def visit_And(self, node: m.And) -> exp.Expression:
        return _and(*(self.visit(o) for o in node.operands))

    def visit_Or(self, node: m.Or) -> exp.Expression:
        return _or(*(self.visit(o) for o in node.operands))

    _CMP = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}

    def visit_Cmp(self, node: m.Cmp) -> exp.Expression:
        return _bin(self._CMP[node.op], self.visit(node.left), self.visit(node.right))

    def visit_In(self, node: m.In) -> exp.Expression:
        test = exp.In(this=_p(self.visit(node.operand)), expressions=[_str(x) for x in node.members])
        return _not(test) if node.negated else test

    def visit_Shift(self, node: m.Shift) -> exp.Expression:
        return shift_date(self.visit(node.date), integer(node.sign * node.amount), node.unit)

    def visit_Arith(self, node: m.Arith) -> exp.Expression:
        return _bin(exp.Add if node.op == "+" else exp.Sub, self.visit(node.left), self.visit(node.right))

    def visit_Via(self, node: m.Via) -> exp.Expression:
        # `Via.applies_to`: an equivalence extends a definition for its own beneficiaries only.
        return _and(_bin(exp.EQ, col("kind"), _str(node.beneficiary)), self.visit(node.operand))


# ---- one clause ----------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class ClauseCompiler:
    """The per-row expressions of one clause before 从优、从高、不重复, each mirroring one
    step of `evaluator._decide` and `schedule.payout`: the status, the amount per period,
    the number of periods, the lifetime totals."""

    def __init__(self, clause: m.Clause, exprs: ExprCompiler, literals: Literals = Literals()):
        self.clause = clause
        self.literals = literals
        self.spec = clause.amount
        self.window = clause.window
        self.exprs = exprs
        self.as_of = exprs.as_of
        self.anchor = exprs.value(self.spec.anchor) if self.spec.anchor else None
        self.heads = exprs.value(self.spec.per_head) if self.spec.per_head else None
        self.rate = exprs.value(self.spec.fact) if self.spec.fact else None

    # ---- the status ----
    def status(self) -> exp.Expression:
        """As `evaluator._verdict`: a failing requirement first (whatever the dates), then
        in force (a window that stopped, a missing anchor date, the entitlement date
        outside the window), then an unknown requirement or head count."""
        window = self.window
        requires = _col(self.clause, "requires")
        # `= FALSE` rather than NOT: a comparison selects rows without a boolean vector first.
        whens = [(_bin(exp.EQ, requires, exp.false()), self.literals.status_value(Status.INELIGIBLE))]
        if window.stops:
            stopped = _bin(exp.GT, self.as_of, date_literal(window.stop))
            whens.append((stopped, self.literals.status_value(Status.NOT_IN_FORCE)))
        if self.anchor is not None:
            whens.append((_is_null(self.anchor), self.literals.status_value(Status.UNDETERMINED)))
        date = self.anchor if self.anchor is not None else self.as_of
        outside = [_bin(exp.LT, date, date_literal(window.start))]
        if window.end is not None:
            outside.append(_bin(exp.GT, date, date_literal(window.end)))
        whens.append((_or(*outside), self.literals.status_value(Status.NOT_IN_FORCE)))
        unknown = [_is_null(requires)]
        for needed in (self.heads, self.rate):
            if needed is not None:
                unknown.append(_is_null(needed))
        whens.append((_or(*unknown), self.literals.status_value(Status.UNDETERMINED)))
        return case_when(whens, self.literals.status_value(Status.GRANTED))

    # ---- the amount per period ----
    def rates(self) -> tuple[exp.Expression | None, exp.Expression | None]:
        """The per-head rate's guaranteed and highest amounts per period (None: none): the
        policy's figures, or the column of the money fact the amount is taken from."""
        if self.rate is not None:
            value = exp.cast(self.rate, MONEY_TYPE)
            return (None if self.spec.kind is m.AmountKind.UP_TO else value), value
        low, high = self.spec.rate_bounds
        return (None if low is None else money(low)), (None if high is None else money(high))

    def _known(self) -> tuple[bool, bool]:
        """Whether a period has a guaranteed amount and a ceiling; a per-period cap is
        also the ceiling of a floor ("at least")."""
        low_rate, high_rate = self.rates()
        return low_rate is not None, high_rate is not None or self.spec.per_period_cap is not None

    def per_period(self) -> tuple[exp.Expression, exp.Expression]:
        """(low, high) of one period: the rate times the head count, capped per period."""
        cap = self.spec.per_period_cap
        result = []
        for rate in self.rates():
            if rate is None:
                result.append(null(MONEY_TYPE))
                continue
            amount = rate
            if self.heads is not None:
                amount = exp.cast(_bin(exp.Mul, amount, self.heads), MONEY_TYPE)
            result.append(_least(amount, money(cap)) if cap is not None else amount)
        low, high = result
        if self.rates()[1] is None and cap is not None:
            high = money(cap)
        return low, high

    # ---- how many periods ----
    def periods(self) -> exp.Expression:
        """How many periods are paid (NULL: open-ended)."""
        maximum = self.spec.max_count
        if not self.clause.cut_by_window:
            return integer(maximum) if maximum is not None else null("BIGINT")
        # BIGINT as the column is declared: built from YEAR() and MONTH(), which are INT on Spark.
        within = exp.cast(self._periods_until_end(), "BIGINT")
        return _least(integer(maximum), within) if maximum is not None else within

    def _periods_until_end(self) -> exp.Expression:
        """The number of periods starting on or before the window's end E, for a schedule
        whose first period starts at F (the anchor, or 1 January of its year).

        Period i starts at `dates.shift(F, i, cadence)`. The count is the number of whole
        cadences from F's month to E's month, plus one when F moved by that many (its day
        clamped to the month's end) still falls on or before E.
        """
        end = self.window.stop
        year = exp.Year(this=self.anchor)
        if self.spec.calendar_year:
            month, day = integer(1), integer(1)
        else:
            month, day = exp.Month(this=self.anchor), exp.Day(this=self.anchor)
        months = _bin(exp.Sub, integer(end.year * 12 + end.month),
                      _bin(exp.Add, _bin(exp.Mul, year, integer(12)), month))
        day_fits = (exp.true() if end.day == _last_day(end.year, end.month)
                    else _bin(exp.LTE, day, integer(end.day)))
        if self.spec.cadence is m.Cadence.YEARS:
            whole = _bin(exp.Sub, integer(end.year), year)
            fits = _or(_bin(exp.LT, month, integer(end.month)), _and(_bin(exp.EQ, month, integer(end.month)), day_fits))
        else:
            whole, fits = months, day_fits
        return _bin(exp.Add, whole, case_when([(fits, integer(1))], integer(0)))

    # ---- the lifetime ----
    def totals(self, low: exp.Expression, high: exp.Expression,
               periods: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
        """(low, high) over the lifetime: every period, capped in total; with no ceiling
        per period, the total cap is the ceiling."""
        cap = self.spec.total_cap
        if self.clause.open_ended:
            return null(MONEY_TYPE), null(MONEY_TYPE)
        result = []
        for per_period, known in zip((low, high), self._known()):
            if not known:
                result.append(money(cap) if cap is not None and per_period is high else null(MONEY_TYPE))
                continue
            # One period (a one-off, or a schedule cut to one): the total is that period's
            # amount, and the narrow layout then writes it once (`narrow`: same_as).
            one = isinstance(periods, exp.Literal) and periods.is_int and periods.to_py() == 1
            total = per_period if one else exp.cast(_bin(exp.Mul, per_period, periods), MONEY_TYPE)
            result.append(_least(total, money(cap)) if cap is not None else total)
        return result[0], result[1]

    # ---- where the periods stand on the as-of date ----
    def phases(self, periods: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
        """(past, current): how many periods ended before the as-of date and whether one
        contains it, as `model.dates.phases` (a row is an as-of snapshot: every period is
        paid by its phase)."""
        if self.anchor is None:  # undated: the first period is the current one
            return integer(0), integer(1)
        if not self.spec.cadence.recurring:  # a one-off is one period on its date
            return (case_when([(_bin(exp.LT, self.anchor, self.as_of), integer(1))], integer(0)),
                    case_when([(_bin(exp.EQ, self.anchor, self.as_of), integer(1))], integer(0)))
        started = exp.cast(self._periods_started(), "BIGINT")
        over = _bin(exp.EQ, started, integer(0))
        if self.clause.open_ended:
            return (case_when([(over, integer(0))], _bin(exp.Sub, started, integer(1))),
                    case_when([(over, integer(0))], integer(1)))
        ended = _bin(exp.GT, started, periods)
        return (case_when([(ended, periods), (over, integer(0))], _bin(exp.Sub, started, integer(1))),
                case_when([(_or(ended, over), integer(0))], integer(1)))

    def _periods_started(self) -> exp.Expression:
        """How many periods start on or before the as-of date D (`dates.periods_started`):
        as `_periods_until_end`, with D a column — a period whose day is clamped to a short
        month's end starts on or before D when D is that month's last day."""
        year = exp.Year(this=self.anchor)
        if self.spec.calendar_year:
            month, day = integer(1), integer(1)
        else:
            month, day = exp.Month(this=self.anchor), exp.Day(this=self.anchor)
        d_year, d_month, d_day = exp.Year(this=self.as_of), exp.Month(this=self.as_of), exp.Day(this=self.as_of)
        day_fits = _or(_bin(exp.LTE, day, d_day), _bin(exp.EQ, d_day, exp.Day(this=exp.LastDay(this=self.as_of))))
        if self.spec.cadence is m.Cadence.YEARS:
            whole = _bin(exp.Sub, d_year, year)
            fits = _or(_bin(exp.LT, month, d_month), _and(_bin(exp.EQ, month, d_month), day_fits))
        else:
            whole = _bin(exp.Sub, _bin(exp.Add, _bin(exp.Mul, d_year, integer(12)), d_month),
                         _bin(exp.Add, _bin(exp.Mul, year, integer(12)), month))
            fits = day_fits
        count = _bin(exp.Add, whole, case_when([(fits, integer(1))], integer(0)))
        return case_when([(_bin(exp.LT, count, integer(0)), integer(0))], count)

    def cumulative(self, low: exp.Expression, high: exp.Expression, count: exp.Expression) \
            -> tuple[exp.Expression, exp.Expression]:
        """(low, high) of the first `count` periods together, after the total cap
        (`schedule._cumulative`)."""
        cap = self.spec.total_cap
        result = []
        for per_period, known in zip((low, high), self._known()):
            if not known:
                if cap is not None and per_period is high:
                    result.append(case_when([(_bin(exp.GT, count, integer(0)), money(cap))], money(Decimal(0))))
                else:
                    result.append(null(MONEY_TYPE))
                continue
            total = exp.cast(_bin(exp.Mul, per_period, count), MONEY_TYPE)
            result.append(_least(total, money(cap)) if cap is not None else total)
        return result[0], result[1]

    def timeline(self, low: exp.Expression, high: exp.Expression, periods: exp.Expression,
                 total_low: exp.Expression, total_high: exp.Expression, past: exp.Expression,
                 current: exp.Expression) -> tuple[exp.Expression, ...]:
        """paid, due and projected, each (low, high), as `schedule.timeline` on a snapshot:
        projected is NULL when open-ended."""
        before = self.cumulative(low, high, past)
        through = self.cumulative(low, high, _bin(exp.Add, past, current))
        due = tuple(exp.cast(_bin(exp.Sub, b, a), MONEY_TYPE) for a, b in zip(before, through))
        if self.clause.open_ended:
            projected = (null(MONEY_TYPE), null(MONEY_TYPE))
        else:
            projected = tuple(exp.cast(_bin(exp.Sub, t, b), MONEY_TYPE)
                              for t, b in zip((total_low, total_high), through))
        return (*before, *due, *projected)

    def value(self, low: exp.Expression, high: exp.Expression, total_low: exp.Expression,
              total_high: exp.Expression) -> exp.Expression:
        """The favourability value `results.Payout.value`: the lifetime at its high end
        (else its low end), one period when open-ended; zero without an amount or when the
        amount is not cash (`Clause.pays_money`)."""
        if not self.clause.pays_money:
            return money(Decimal(0))
        if self.clause.open_ended:
            return exp.Coalesce(this=high, expressions=[low, money(Decimal(0))])
        return exp.Coalesce(this=total_high, expressions=[total_low, money(Decimal(0))])



# ---- 从优、从高、不重复 ----------------------------------------------------------------


def _granted(clause: m.Clause) -> exp.Expression:
    """Granted by its own requirement (before exclusion); FALSE, never NULL."""
    return exp.Coalesce(this=_bin(exp.EQ, _col(clause, "pre"), _str(Status.GRANTED.value)),
                        expressions=[exp.false()])


def _beats(winner: m.Clause, loser: m.Clause) -> exp.Expression:
    """Whether `winner` ranks before `loser`: a higher favourability value, and on a tie
    the earlier declaration."""
    op = exp.GTE if winner.order < loser.order else exp.GT
    return _bin(op, _col(winner, "value"), _col(loser, "value"))


def _accepted(clause: m.Clause, round_: int) -> exp.Expression:
    """Whether `clause` is kept after `round_` rounds (round 0: whether it is granted)."""
    return _granted(clause) if round_ == 0 else _col(clause, f"kept_{round_}")


def _exclusion_rounds(groups: tuple[ConflictGroup, ...], source: str) -> list[tuple[str, exp.Select]]:
    """从优、从高、不重复 as rounds of common table expressions.

    `resolution.resolve` walks the granted clauses from the most favourable down and keeps
    each one that conflicts with no clause kept before it. The rank order differs from row
    to row, so SQL cannot walk it; instead round r recomputes, for every clause, "granted
    and not beaten by a conflicting clause kept after round r-1". The best-ranked clause is
    right from round 0 and each round settles the next rank, so a group of n clauses is
    exact after n-1 rounds, and the query grows with n squared, not with the n! orders
    that unrolling the walk would spell out.
    """
    ctes: list[tuple[str, exp.Select]] = []
    for r in range(1, max((g.rounds for g in groups), default=0) + 1):
        columns = []
        for group in (g for g in groups if g.rounds >= r):
            for clause in group.clauses:
                beaten = [_and(_accepted(d, r - 1), _beats(d, clause)) for d in group.clauses
                          if group.conflicts(d, clause)]
                kept = _and(_granted(clause), _not(_or(*beaten)))
                columns.append(exp.alias_(kept, _name(clause, f"kept_{r}"), quoted=True))
        name = f"exclusion_{r}"
        ctes.append((name, exp.select(exp.Star(), *columns).from_(source)))
        source = name
    return ctes


def _winner(clause: m.Clause, group: ConflictGroup, literals: Literals) -> exp.Expression:
    """The clause that excluded `clause`: of the kept conflicting clauses ranked before
    it, the best-ranked one (the first `resolution.resolve` finds in its kept list)."""
    rivals = [d for d in group.clauses if group.conflicts(d, clause)]

    def candidate(d: m.Clause) -> exp.Expression:
        return _and(_accepted(d, group.rounds), _beats(d, clause))

    whens = []
    for d in rivals:
        better = [_and(candidate(e), _beats(e, d)) for e in rivals if e is not d]
        whens.append((_and(candidate(d), _not(_or(*better))) if better else candidate(d), literals.clause_value(d.id)))
    return case_when(whens)


# ---- the query -----------------------------------------------------------------------


def _name(clause: m.Clause, what: str) -> str:
    return f"{clause.id}__{what}"


def _col(clause: m.Clause, what: str) -> exp.Column:
    return col(_name(clause, what))


def definition_column(name: str) -> str:
    return f"{name}__def"


def _definitions_used(policy: m.Policy) -> list[str]:
    """The definitions the clauses read (requirements, anchors, head counts), directly or
    through other definitions, in the policy's order."""
    clauses = policy.evaluated_clauses
    conditions = [c.eligibility for c in clauses] + [n for c in clauses for n in c.needs]
    used = set(m.definitions_reached(policy.reach(conditions)))
    return [name for name in policy.definitions if name in used]


class SqlNameError(Refusal):
    """A table or column name the query cannot be built with: a sentence `sql_name.<why>`
    of the wording layer."""

    PREFIX = "sql_name."


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def table_ref(name: str) -> exp.Table:
    """`name` (`table`, `schema.table` or `catalog.schema.table`) with every part quoted,
    so that a part which is a keyword in some dialect (`from`, `order`) still parses back
    there. Parts are plain identifiers: anything else is refused, not guessed."""
    parts = name.split(".")
    if len(parts) > 3 or not all(_IDENTIFIER.fullmatch(part) for part in parts):
        raise SqlNameError("not_a_table", name=name)
    ids = [exp.to_identifier(part, quoted=True) for part in parts]
    return exp.Table(this=ids[-1], db=ids[-2] if len(ids) > 1 else None, catalog=ids[-3] if len(ids) > 2 else None)


def check_carry(policy: m.Policy, carry: tuple[str, ...]) -> tuple[str, ...]:
    """The columns to carry through, refused when empty, named twice, or named like a
    column the result has anyway (a duplicate column breaks the table it is written to)."""
    taken = {"row_id", "kind", "as_of", *(n for c in clause_columns(policy, phases=True) for n in c.names)}
    seen: set[str] = set()
    for name in carry:
        if not name or not name.strip():
            raise SqlNameError("carry_no_name")
        if name in taken:
            raise SqlNameError("carry_taken", name=name)
        if name in seen:
            raise SqlNameError("carry_twice", name=name)
        seen.add(name)
    return carry


def query(policy: m.Policy, table: str = "cases", literals: Literals = Literals(),
          carry: tuple[str, ...] = (), phases: bool = False, only: Collection[str] | None = None) -> exp.Select:
    """The policy as one SELECT over `table` (see the module docstring for its columns).
    `carry` names input columns passed through to the end of the result — where Trino
    wants the partition columns of a table it creates. `phases` adds each paying clause's
    paid, due and projected amounts on the row's as-of date (`columns.PHASE_PARTS`): they
    are computed only then, since computing and writing them costs about as much as every
    other amount column together (docs/scale.md). `only` restricts the result columns to
    those named (a narrow layout's; the keys and carried columns are always there).

    Common table expressions in order: `defined` computes each definition once per row,
    `required` each clause's requirement; `evaluated` decides each clause on its own
    (status, per-period amounts, periods); `valued` adds lifetime totals and
    favourability values; `exclusion_<r>` apply 从优、从高、不重复; the final SELECT
    names the result columns.
    """
    as_of = col("as_of")
    inline = ExprCompiler(policy, as_of)
    used = _definitions_used(policy)
    exprs = ExprCompiler(policy, as_of, frozenset(used))
    clauses = policy.evaluated_clauses
    groups = conflict_groups(policy)
    ranked = {c.id for g in groups for c in g.clauses}
    keys = [col("row_id"), col("kind"), as_of]
    carried = [col(c) for c in check_carry(policy, carry)]

    defined = [exp.alias_(inline.visit(policy.definitions[name].expr), definition_column(name), quoted=True)
               for name in used]
    # A batch row is a snapshot of facts: the continuing condition holds in every period
    # or in none, so a clause is decided on its requirement and continuing condition at once.
    required = [exp.alias_(exprs.visit(c.eligibility), _name(c, "requires"), quoted=True) for c in clauses]
    evaluated, valued = [], []
    for clause in clauses:
        compiler = ClauseCompiler(clause, exprs, literals)
        of_kind = _bin(exp.EQ, col("kind"), _str(clause.beneficiary))
        evaluated.append(exp.alias_(case_when([(of_kind, compiler.status())]), _name(clause, "pre"), quoted=True))
        if clause.computes_amount:
            low, high = compiler.per_period()
            evaluated += [exp.alias_(low, _name(clause, "low"), quoted=True),
                          exp.alias_(high, _name(clause, "high"), quoted=True),
                          exp.alias_(compiler.periods(), _name(clause, "periods"), quoted=True)]
            if phases:
                # where the periods stand on the as-of date: read from the facts (the anchor), so here
                past, current = compiler.phases(compiler.periods())
                evaluated += [exp.alias_(past, _name(clause, "past"), quoted=True),
                              exp.alias_(current, _name(clause, "current"), quoted=True)]
            low, high, periods = _col(clause, "low"), _col(clause, "high"), _col(clause, "periods")
            total_low, total_high = compiler.totals(low, high, periods)
            valued += [exp.alias_(total_low, _name(clause, "total_low"), quoted=True),
                       exp.alias_(total_high, _name(clause, "total_high"), quoted=True)]
            if phases:
                phased = compiler.timeline(low, high, periods, total_low, total_high, _col(clause, "past"),
                                           _col(clause, "current"))
                valued += [exp.alias_(value, _name(clause, part), quoted=True)
                           for part, value in zip(PHASE_PARTS, phased)]
        if clause.id in ranked:
            value = (compiler.value(_col(clause, "low"), _col(clause, "high"), total_low, total_high)
                     if clause.computes_amount else money(Decimal(0)))
            valued.append(exp.alias_(value, _name(clause, "value"), quoted=True))

    ctes = [("defined", exp.select(exp.Star(), *defined).from_(table_ref(table))),
            ("required", exp.select(exp.Star(), *required).from_("defined")),
            ("evaluated", exp.select(*keys, *carried, *evaluated).from_("required"))]
    if valued:
        ctes.append(("valued", exp.select(exp.Star(), *valued).from_("evaluated")))
    ctes += _exclusion_rounds(groups, ctes[-1][0])
    result = _result_columns(policy, groups, literals, phases)
    if only is not None:  # a layout that writes fewer columns: the others are neither built nor bound
        result = [c for c in result if c.alias in only]
    final = exp.select(*keys, *result, *carried).from_(ctes[-1][0])
    for name, body in ctes:
        final = final.with_(name, as_=body, copy=False)
    return final


def _result_columns(policy: m.Policy, groups: tuple[ConflictGroup, ...], literals: Literals,
                    phases: bool) -> list[exp.Expression]:
    """Each clause's final status, the clause that excluded it, and its amounts where its
    requirement grants it (granted or excluded), as in `results.ClauseResult`."""
    group_of = {c.id: g for g in groups for c in g.clauses}
    columns = []
    for names in clause_columns(policy, phases):
        clause = names.clause
        group = group_of.get(clause.id)
        if group is None:
            status = _col(clause, "pre")
            excluded_by = _typed_null(literals.clause)
        else:
            excluded = _and(_granted(clause), _not(_accepted(clause, group.rounds)))
            status = case_when([(excluded, literals.status_value(Status.EXCLUDED))], _col(clause, "pre"))
            excluded_by = case_when([(excluded, _winner(clause, group, literals))])
        columns += [exp.alias_(status, names.status, quoted=True),
                    exp.alias_(excluded_by, names.excluded_by, quoted=True)]
        for name in names.amounts:
            # granted by its requirement (NULL: not): a comparison, selected without COALESCE
            value = case_when([(_bin(exp.EQ, _col(clause, "pre"), _str(Status.GRANTED.value)), col(name))])
            columns.append(exp.alias_(value, name, quoted=True))
    return columns


def to_sql(policy: m.Policy, dialect: str = "duckdb", table: str = "cases", pretty: bool = True,
           literals: Literals = Literals(), carry: tuple[str, ...] = (), phases: bool = False,
           only: Collection[str] | None = None) -> str:
    """The query as text in `dialect` (one of `DIALECTS`); with `phases`, each paying
    clause's paid, due and projected amounts too (`columns.PHASE_PARTS`); with `only`,
    just those of the result columns (the keys are always there)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect '{dialect}'; choose one of {', '.join(DIALECTS)}")
    return query(policy, table, literals, carry, phases, only).sql(dialect=dialect, pretty=pretty)


# ---- the narrow result layout --------------------------------------------------------


@dataclass(frozen=True)
class Narrow:
    """The result columns that carry information row by row, and what the others are.

    `columns`: `row_id`, `kind`, `as_of`, every clause's status, `excluded_by` for the
    clauses 从优 ranks against two or more others (the others' is always NULL, or
    known from the status), and the amount columns whose value
    depends on the row. `constants` maps each amount column left out because it is the
    same on every row the clause grants to its value as a SQL expression (to evaluate
    once); `same_as` maps an amount column equal to another written one of its clause
    (say `high` of a fixed amount per head, equal to `low`) to that column;
    `excluded_by` maps the `excluded_by` column of a clause ranked against one other
    clause only to that clause's id (the column's value on the rows where the status is
    `excluded`; NULL on the others)."""

    columns: tuple[str, ...]
    constants: dict[str, str]
    same_as: dict[str, str]
    excluded_by: dict[str, str] = dataclasses.field(default_factory=dict)


def narrow(policy: m.Policy, dialect: str = "duckdb", phases: bool = False) -> Narrow:
    """The narrow layout's columns (`Narrow`). Besides the amounts, the `excluded_by` of
    a clause that 从优 ranks against one other clause only is left out: when its status is
    `excluded`, that clause excluded it (`excluded_by`: column -> that clause's id)."""
    exprs = ExprCompiler(policy, col("as_of"))
    rivals = {c.id: [d.id for d in g.clauses if g.conflicts(d, c)] for g in conflict_groups(policy) for c in g.clauses}
    columns = ["row_id", "kind", "as_of"]
    constants: dict[str, str] = {}
    same_as: dict[str, str] = {}
    excluded_by: dict[str, str] = {}
    for names in clause_columns(policy, phases):
        clause = names.clause
        columns.append(names.status)
        if len(rivals.get(clause.id, ())) == 1:
            excluded_by[names.excluded_by] = rivals[clause.id][0]
        elif clause.id in rivals:
            columns.append(names.excluded_by)
        if not names.monetary:
            continue
        compiler = ClauseCompiler(clause, exprs)
        low, high = compiler.per_period()
        periods = compiler.periods()
        total_low, total_high = compiler.totals(low, high, periods)
        amounts = [low, high, periods, total_low, total_high]
        if phases:
            amounts += compiler.timeline(low, high, periods, total_low, total_high, *compiler.phases(periods))
        written: dict[str, exp.Expression] = {}
        for name, expression in zip(names.amounts, amounts, strict=True):
            if not any(isinstance(node, exp.Column) for node in expression.walk()):
                constants[name] = expression.sql(dialect)
                continue
            twin = next((other for other, seen in written.items() if seen == expression), None)
            if twin is not None:
                same_as[name] = twin
            else:
                written[name] = expression
                columns.append(name)
    return Narrow(tuple(columns), constants, same_as, excluded_by)
