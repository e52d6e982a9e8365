"""The fiscal exposure of a policy over a population: per clause and per section, how
many applicants are granted and how much is paid in the first year and over the life of
the grants.

The population file is read, validated and evaluated exactly as by `qzdsl eval --batch`
(`batch.stage`); the totals are one aggregate query over the results.

Amounts count at the favourable end the evaluator ranks by (`results.Payout.value`): a
ceiling ("up to", a range) at its ceiling, a floor ("at least") at its floor; beside them,
the *guaranteed* figures count what is owed whatever an official decides, as the
evaluator's totals do (`results.Totals.low`): a clause granted at discretion (可给予) or an
"up to" amount guarantees nothing, a range or a floor its low end. The
*first year* of a grant is what it pays in its first twelve months: a one-off in full, a
yearly amount once, a monthly amount up to twelve times, never more than its lifetime
total. The *lifetime* sums the grants that have an end; open-ended grants (recurring with
no maximum duration) are counted apart, since they have no lifetime total. The same money is
split by where each grant's periods stand on its row's as-of date (`query(phases=True)`,
summed here, never written per row): *paid* is owed for periods already over, *due* for
the current one, *projected* for later ones — paid only while the continuing conditions
hold, and only for grants with an end (an open-ended grant's later periods have no total;
its yearly cost is `open_ended_per_year`). For the grants with an end, paid + due +
projected is the lifetime; paid and due also count the open-ended grants' periods. A clause that
releases the applicant's own balance (`own_balance`) has its figures, but is in no section
or policy total: it is no public money; `Simulation.own_balance` totals it apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlglot import exp

from qzdsl.model import policy as m
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql import query as sqlgen
from qzdsl.backends.sql.batch import Engine, Layout, stage
from qzdsl.backends.sql.duckdb_engine import DuckDB, run_with_progress
from qzdsl.wording.labels import label
from qzdsl.model.policy import Status

CENTS = Decimal("0.00")


@dataclass(frozen=True)
class Exposure:
    """Totals over the population for a clause, a section or the whole policy.

    `granted` counts applicants (for a section: applicants granted at least one of its
    clauses); `open_ended` the grants without a lifetime total, left out of `lifetime`.
    `excluded` and `undetermined` are per clause only (None for sections and the total).
    """

    granted: int
    first_year: Decimal | None  # None: the clause pays no computable amount
    lifetime: Decimal | None
    open_ended: int
    excluded: int | None = None
    undetermined: int | None = None
    # What the open-ended grants pay each year while they last (None: non-monetary). They
    # have no lifetime total, so this is the figure that shows their cost.
    open_ended_per_year: Decimal | None = None
    # What is owed whatever an official decides (None: non-monetary): a discretionary grant
    # or an "up to" amount counts 0, a range or a floor its low end. `first_year` and
    # `lifetime` are the most ("up to" where the two differ).
    first_year_guaranteed: Decimal | None = None
    lifetime_guaranteed: Decimal | None = None
    # The money by where the periods stand on each row's as-of date (None: non-monetary):
    # owed for past periods, due for the current one, projected for later ones (grants with
    # an end only), each at its most and, beside it, what is owed whatever is decided.
    paid: Decimal | None = None
    due: Decimal | None = None
    projected: Decimal | None = None
    paid_guaranteed: Decimal | None = None
    due_guaranteed: Decimal | None = None
    projected_guaranteed: Decimal | None = None

    @property
    def up_to(self) -> bool:
        """Whether some of the amount is not owed: it is shown as "up to" the most."""
        return (self.first_year_guaranteed is not None
                and (self.first_year_guaranteed != self.first_year or self.lifetime_guaranteed != self.lifetime))


@dataclass(frozen=True)
class ClauseExposure:
    clause: m.Clause
    exposure: Exposure
    kind_label: str = ""  # the label of the clause's beneficiary kind, for people to read


@dataclass(frozen=True)
class SectionExposure:
    ref: str
    title: str
    exposure: Exposure


@dataclass(frozen=True)
class Simulation:
    """The exposure of `policy` over the population in `source`, evaluated at `as_of`
    for rows that give no date."""

    policy: str
    sha256: str
    source: str
    as_of: dt.date
    rows_in: int
    rows_evaluated: int
    rows_rejected: int
    clauses: tuple[ClauseExposure, ...]
    sections: tuple[SectionExposure, ...]
    total: Exposure  # new public money only
    own_balance: Exposure | None = None  # releases of applicants' own balances, never in `total`


def _status(name: str, status: Status) -> exp.Expression:
    return exp.EQ(this=sqlgen.col(name), expression=exp.Literal.string(status.value))


def _count_if(condition: exp.Expression) -> exp.Expression:
    """How many rows `condition` holds for; 0, not NULL, when it holds for none (DuckDB's
    count_if of a condition it folded to a constant NULL is NULL)."""
    return exp.Coalesce(this=exp.func("count_if", condition), expressions=[exp.Literal.number(0)])


def _sum_if(value: exp.Expression, condition: exp.Expression) -> exp.Expression:
    """The sum of `value` where `condition` holds, 0 (exact) when nowhere."""
    total = exp.Sum(this=sqlgen.case_when([(condition, value)]))
    return exp.Coalesce(this=total, expressions=[sqlgen.money(CENTS)])


def _first_year(names: sqlcols.ClauseColumns) -> exp.Expression:
    """What one grant pays in its first twelve months (see the module docstring)."""
    per_year = sqlgen.integer(names.clause.amount.cadence.periods_in_a_year)
    top = exp.Coalesce(this=sqlgen.col(names.high), expressions=[sqlgen.col(names.low)])
    periods = sqlgen.col(names.periods)
    paid = exp.Mul(this=top, expression=exp.Paren(this=exp.Least(this=per_year, expressions=[periods])))
    lifetime = exp.Coalesce(this=sqlgen.col(names.total_high),
                            expressions=[sqlgen.col(names.total_low), paid.copy()])
    open_ended = exp.Is(this=periods.copy(), expression=exp.Null())
    return sqlgen.case_when([(open_ended, _per_year(names))], exp.Least(this=paid, expressions=[lifetime]))


def _per_year(names: sqlcols.ClauseColumns) -> exp.Expression:
    """What one grant pays in a year of its run: its amount times the periods in a year."""
    top = exp.Coalesce(this=sqlgen.col(names.high), expressions=[sqlgen.col(names.low)])
    return exp.Mul(this=top, expression=sqlgen.integer(names.clause.amount.cadence.periods_in_a_year))


def _lifetime(names: sqlcols.ClauseColumns) -> exp.Expression:
    return exp.Coalesce(this=sqlgen.col(names.total_high), expressions=[sqlgen.col(names.total_low)])


PHASES = ("paid", "due", "projected")


def _phase(names: sqlcols.ClauseColumns, phase: str) -> exp.Expression:
    """One grant's money in `phase` (paid, due or projected) at its most, as `_lifetime`."""
    return exp.Coalesce(this=sqlgen.col(getattr(names, f"{phase}_high")),
                        expressions=[sqlgen.col(getattr(names, f"{phase}_low"))])


def _first_year_guaranteed(names: sqlcols.ClauseColumns) -> exp.Expression:
    """What one grant owes in its first twelve months: its low end (NULL for "up to")."""
    per_year = sqlgen.integer(names.clause.amount.cadence.periods_in_a_year)
    low, periods = sqlgen.col(names.low), sqlgen.col(names.periods)
    paid = exp.Mul(this=low, expression=exp.Paren(this=exp.Least(this=per_year, expressions=[periods])))
    lifetime = exp.Coalesce(this=sqlgen.col(names.total_low), expressions=[paid.copy()])
    open_ended = exp.Is(this=periods.copy(), expression=exp.Null())
    yearly = exp.Mul(this=low.copy(), expression=per_year.copy())
    return sqlgen.case_when([(open_ended, yearly)], exp.Least(this=paid, expressions=[lifetime]))


def _aggregates(policy: m.Policy) -> tuple[list[exp.Expression], list[str]]:
    """The aggregate columns of the one query, and their names in order."""
    columns: list[exp.Expression] = []
    names_out: list[str] = []

    def add(name: str, expression: exp.Expression) -> None:
        columns.append(exp.alias_(expression, name, quoted=True))
        names_out.append(name)

    all_columns = sqlcols.clause_columns(policy, phases=True)
    for names in all_columns:
        c = names.clause.id
        granted = _status(names.status, Status.GRANTED)
        add(f"{c}.granted", _count_if(granted))
        add(f"{c}.excluded", _count_if(_status(names.status, Status.EXCLUDED)))
        add(f"{c}.undetermined", _count_if(_status(names.status, Status.UNDETERMINED)))
        if names.clause.pays_money:
            add(f"{c}.first_year", _sum_if(_first_year(names), granted.copy()))
            add(f"{c}.lifetime", _sum_if(_lifetime(names), granted.copy()))
            open_ended = exp.and_(granted.copy(), exp.Is(this=sqlgen.col(names.periods), expression=exp.Null()))
            add(f"{c}.open_ended", _count_if(open_ended))
            add(f"{c}.open_ended_per_year", _sum_if(_per_year(names), open_ended.copy()))
            for phase in PHASES:
                add(f"{c}.{phase}", _sum_if(_phase(names, phase), granted.copy()))
            if names.clause.guaranteed:
                add(f"{c}.first_year_guaranteed", _sum_if(_first_year_guaranteed(names), granted.copy()))
                add(f"{c}.lifetime_guaranteed", _sum_if(sqlgen.col(names.total_low), granted.copy()))
                for phase in PHASES:
                    add(f"{c}.{phase}_guaranteed", _sum_if(sqlgen.col(getattr(names, f"{phase}_low")), granted.copy()))
    for ref, members in _sections(policy).items():
        add(f"{ref}.granted", _count_if(exp.or_(*(_status(n.status, Status.GRANTED) for n in members))))
    add(".granted", _count_if(exp.or_(*(_status(n.status, Status.GRANTED) for n in all_columns))))
    own = [n for n in all_columns if n.clause.own_balance and n.clause.pays_money]
    if own:
        add(".own_balance.granted", _count_if(exp.or_(*(_status(n.status, Status.GRANTED) for n in own))))
    return columns, names_out


def _sections(policy: m.Policy) -> dict[str, list[sqlcols.ClauseColumns]]:
    """The clause columns of each section, sections in the policy's order."""
    sections: dict[str, list[sqlcols.ClauseColumns]] = {}
    for names in sqlcols.clause_columns(policy, phases=True):
        sections.setdefault(names.clause.section, []).append(names)
    return sections


def simulate(policy: m.Policy, source: Path | str, as_of: dt.date | None = None, lang: str = "zh",
             progress: bool = False, threads: int | None = None, memory_limit: str | None = None,
             ignore_unknown: bool = False, engine: Engine | None = None) -> Simulation:
    """Evaluate the population in `source` and total it per clause, section and policy,
    on `engine` (default: an embedded DuckDB with `threads` and `memory_limit`)."""
    with engine or DuckDB(threads, memory_limit) as engine:
        staged = stage(engine, policy, source, as_of, lang, Layout.wide, ignore_unknown, phases=True)
        rows_in = staged.count("checked_cases")
        rows_evaluated = staged.count("cases")
        columns, names = _aggregates(policy)
        sql = exp.select(*columns).from_("results").sql(engine.dialect)
        description = label("batch.progress", lang).format(rows=f"{rows_evaluated:,}") if progress else None
        values = dict(zip(names, engine.fetch_one(sql, description)))

    clauses = []
    for names in sqlcols.clause_columns(policy, phases=True):
        c = names.clause.id
        money = names.clause.pays_money
        kind = policy.kinds.get(names.clause.beneficiary or "")
        clauses.append(ClauseExposure(names.clause, kind_label=kind.label if kind else "", exposure=Exposure(
            granted=values[f"{c}.granted"],
            first_year=values[f"{c}.first_year"] if money else None,
            lifetime=values[f"{c}.lifetime"] if money else None,
            open_ended=values[f"{c}.open_ended"] if money else 0,
            excluded=values[f"{c}.excluded"],
            undetermined=values[f"{c}.undetermined"],
            open_ended_per_year=values[f"{c}.open_ended_per_year"] if money else None,
            first_year_guaranteed=_guaranteed(values, f"{c}.first_year_guaranteed", names.clause),
            lifetime_guaranteed=_guaranteed(values, f"{c}.lifetime_guaranteed", names.clause),
            **_phases(values, c, names.clause),
        )))
    # Public exposure: the release of an applicant's own balance is shown per clause but
    # is no public money, so no section or policy total counts it: it is totalled apart.
    public = [c for c in clauses if not c.clause.own_balance]
    own = [c for c in clauses if c.clause.own_balance and c.clause.pays_money]
    sections = tuple(
        SectionExposure(ref, members[0].clause.section_title,
                        _summed(values[f"{ref}.granted"], [c.exposure for c in public if c.clause.section == ref]))
        for ref, members in _sections(policy).items()
    )
    total = _summed(values[".granted"], [c.exposure for c in public])
    own_balance = _summed(values[".own_balance.granted"], [c.exposure for c in own]) if own else None
    return Simulation(policy.info.doc_number, policy.sha256, str(source), staged.as_of, rows_in, rows_evaluated,
                      rows_in - rows_evaluated, tuple(clauses), sections, total, own_balance)


def _phases(values: dict, c: str, clause: m.Clause) -> dict[str, Decimal | None]:
    """A clause's paid, due and projected figures and their guaranteed parts (None: no money)."""
    found: dict[str, Decimal | None] = {}
    for phase in PHASES:
        found[phase] = values[f"{c}.{phase}"] if clause.pays_money else None
        found[f"{phase}_guaranteed"] = _guaranteed(values, f"{c}.{phase}_guaranteed", clause)
    return found


def _guaranteed(values: dict, key: str, clause: m.Clause) -> Decimal | None:
    """A clause's guaranteed figure: None when it pays no money, 0 when at discretion."""
    if not clause.pays_money:
        return None
    return values[key] if clause.guaranteed else CENTS


def _summed(granted: int, exposures: list[Exposure]) -> Exposure:
    def total(amounts) -> Decimal:
        return sum((a for a in amounts if a is not None), CENTS)

    phases = {f"{phase}{part}": total(getattr(e, f"{phase}{part}") for e in exposures)
              for phase in PHASES for part in ("", "_guaranteed")}
    return Exposure(granted, total(e.first_year for e in exposures), total(e.lifetime for e in exposures),
                    sum(e.open_ended for e in exposures),
                    open_ended_per_year=total(e.open_ended_per_year for e in exposures),
                    first_year_guaranteed=total(e.first_year_guaranteed for e in exposures),
                    lifetime_guaranteed=total(e.lifetime_guaranteed for e in exposures), **phases)


# ---- a reform against its baseline ------------------------------------------------------


@dataclass(frozen=True)
class ClauseChange:
    """A clause's cost and its applicants under the baseline and the reform, over one
    population. An applicant *gains* when the reform grants the clause and the baseline
    does not, or grants it with a larger first-year or lifetime amount; *loses* the other
    way round; is *unchanged* when the clause is granted under both alike. Costs count the
    granted applicants as `simulate` does (first year, lifetime, open-ended per year)."""

    clause: m.Clause
    kind_label: str
    in_baseline: bool
    in_reform: bool
    gain: int
    lose: int
    unchanged: int
    baseline: Exposure
    reform: Exposure

    @property
    def first_year_difference(self) -> Decimal | None:
        return _difference(self.baseline.first_year, self.reform.first_year)

    @property
    def lifetime_difference(self) -> Decimal | None:
        return _difference(self.baseline.lifetime, self.reform.lifetime)

    @property
    def per_year_difference(self) -> Decimal | None:
        return _difference(self.baseline.open_ended_per_year, self.reform.open_ended_per_year)

    def phase_difference(self, phase: str) -> Decimal | None:
        """The change in what is paid (`phase`: paid, due or projected; see `simulate`)."""
        return _difference(getattr(self.baseline, phase), getattr(self.reform, phase))


def _difference(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None and new is None:
        return None
    return (new or CENTS) - (old or CENTS)


@dataclass(frozen=True)
class ReformSimulation:
    baseline: str  # document numbers
    reform: str
    baseline_sha256: str
    reform_sha256: str
    source: str
    as_of: dt.date
    rows_in: int
    rows_evaluated: int
    rows_rejected: int
    clauses: tuple[ClauseChange, ...]  # every clause of either version, baseline's order first
    gain: int  # applicants whose total (first-year) grant rises under the reform
    lose: int
    unchanged: int

    @property
    def public(self) -> tuple[ClauseChange, ...]:
        """The clauses whose cost is public money: not the release of an own balance."""
        return tuple(c for c in self.clauses if not c.clause.own_balance)

    @property
    def own_balance(self) -> tuple[ClauseChange, ...]:
        return tuple(c for c in self.clauses if c.clause.own_balance)

    @property
    def first_year_difference(self) -> Decimal:
        """The change in public cost; own-balance releases are apart (`own_balance_*`)."""
        return sum((c.first_year_difference or CENTS for c in self.public), CENTS)

    @property
    def lifetime_difference(self) -> Decimal:
        return sum((c.lifetime_difference or CENTS for c in self.public), CENTS)

    @property
    def per_year_difference(self) -> Decimal:
        return sum((c.per_year_difference or CENTS for c in self.public), CENTS)

    def phase_difference(self, phase: str) -> Decimal:
        """The change in public money owed for past periods, due now or projected."""
        return sum((c.phase_difference(phase) or CENTS for c in self.public), CENTS)

    @property
    def own_balance_first_year_difference(self) -> Decimal:
        return sum((c.first_year_difference or CENTS for c in self.own_balance), CENTS)

    @property
    def own_balance_lifetime_difference(self) -> Decimal:
        return sum((c.lifetime_difference or CENTS for c in self.own_balance), CENTS)


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _qualified(expression: exp.Expression, table: str) -> exp.Expression:
    """`expression` with every column read from `table` (b: baseline, r: reform)."""
    return expression.transform(
        lambda node: exp.column(node.name, table=table, quoted=True) if isinstance(node, exp.Column) else node)


def simulate_reform(baseline: m.Policy, reform: m.Policy, source: Path | str, as_of: dt.date | None = None,
                    lang: str = "zh", progress: bool = False, threads: int | None = None,
                    memory_limit: str | None = None, ignore_unknown: bool = False) -> ReformSimulation:
    """Baseline and reform over the same population in one query: each version's query
    reads the same validated rows, joined row by row, and one aggregate totals both and
    their differences. Rows are validated against the baseline; facts only the reform
    asks are unknown for every row."""
    with DuckDB(threads, memory_limit) as engine:
        connection = engine.connection
        staged = stage(engine, baseline, source, as_of, lang, Layout.wide, ignore_unknown)
        rows_in = staged.count("checked_cases")
        facts = ", ".join(_q(f) for f in baseline.facts)
        connection.execute(engine.expand(f"CREATE TEMP TABLE numbered AS SELECT __row_number, row_id, kind, as_of"
                                         f"{', ' + facts if facts else ''} FROM checked_cases WHERE __valid"))
        extra = [f for f in reform.facts.values() if f.name not in baseline.facts]
        nulls = "".join(f", CAST(NULL AS {sqlcols.COLUMN_TYPES[f.type]}) AS {_q(f.name)}" for f in extra)
        connection.execute(f"CREATE VIEW numbered_reform AS SELECT *{nulls} FROM numbered")
        base_sql = sqlgen.to_sql(baseline, "duckdb", table="numbered", pretty=False, carry=("__row_number",),
                                 phases=True)
        reform_sql = sqlgen.to_sql(reform, "duckdb", table="numbered_reform", pretty=False, carry=("__row_number",),
                                   phases=True)
        rows_evaluated = staged.count("numbered")
        columns, names, plan = _reform_aggregates(baseline, reform)
        sql = (f"SELECT {', '.join(c.sql('duckdb') for c in columns)} FROM ({base_sql}) AS b "
               f"JOIN ({reform_sql}) AS r USING (__row_number)")
        description = label("batch.progress", lang).format(rows=f"{rows_evaluated:,}")
        values = dict(zip(names, run_with_progress(connection, sql, description, progress)[0]))
    def exposure(side: str, names_: sqlcols.ClauseColumns | None) -> Exposure:
        if names_ is None:
            return Exposure(0, None, None, 0)
        money = names_.clause.pays_money
        key = f"{side}.{names_.clause.id}"
        return Exposure(values[f"{key}.granted"], values[f"{key}.first_year"] if money else None,
                        values[f"{key}.lifetime"] if money else None,
                        values[f"{key}.open_ended"] if money else 0,
                        open_ended_per_year=values[f"{key}.open_ended_per_year"] if money else None,
                        **{phase: values[f"{key}.{phase}"] if money else None for phase in PHASES})

    clauses = []
    for clause_id, (old, new) in plan.items():
        clause = (new or old).clause
        kind = (reform if new else baseline).kinds.get(clause.beneficiary or "")
        clauses.append(ClauseChange(clause, kind.label if kind else "", old is not None, new is not None,
                                    values[f"{clause_id}.gain"], values[f"{clause_id}.lose"],
                                    values[f"{clause_id}.unchanged"], exposure("b", old), exposure("r", new)))
    return ReformSimulation(baseline.info.doc_number, reform.info.doc_number, baseline.sha256, reform.sha256,
                            str(source), staged.as_of, rows_in, rows_evaluated, rows_in - rows_evaluated,
                            tuple(clauses), values[".gain"], values[".lose"], values[".unchanged"])


def _reform_aggregates(baseline: m.Policy, reform: m.Policy):
    """The aggregate columns over the joined rows (b: baseline, r: reform), their names,
    and per clause id its columns in each version (None where a version lacks it)."""
    old = {c.clause.id: c for c in sqlcols.clause_columns(baseline, phases=True)}
    new = {c.clause.id: c for c in sqlcols.clause_columns(reform, phases=True)}
    plan = {cid: (old.get(cid), new.get(cid)) for cid in [*old, *(c for c in new if c not in old)]}
    columns: list[exp.Expression] = []
    names: list[str] = []

    def add(name: str, expression: exp.Expression) -> None:
        columns.append(exp.alias_(expression, name, quoted=True))
        names.append(name)

    def granted(side: str, cols: sqlcols.ClauseColumns | None) -> exp.Expression:
        if cols is None:
            return exp.false()
        return exp.Coalesce(this=_qualified(_status(cols.status, Status.GRANTED), side), expressions=[exp.false()])

    def worth(side: str, cols: sqlcols.ClauseColumns | None) -> exp.Expression:
        """What the clause pays this row in its first year (0 when not granted)."""
        if cols is None or not (cols.clause.pays_money):
            return sqlgen.money(CENTS)
        return sqlgen.case_when([(granted(side, cols), _qualified(_first_year(cols), side))], sqlgen.money(CENTS))

    def life(side: str, cols: sqlcols.ClauseColumns | None) -> exp.Expression:
        if cols is None or not (cols.clause.pays_money):
            return sqlgen.money(CENTS)
        return sqlgen.case_when([(granted(side, cols), exp.Coalesce(this=_qualified(_lifetime(cols), side),
                                                                     expressions=[sqlgen.money(CENTS)]))],
                                sqlgen.money(CENTS))

    totals_old, totals_new = [], []
    for cid, (o, n) in plan.items():
        for side, cols in (("b", o), ("r", n)):
            if cols is None:
                continue
            g = granted(side, cols)
            add(f"{side}.{cid}.granted", _count_if(g))
            if cols.clause.pays_money:
                add(f"{side}.{cid}.first_year", _sum_if(_qualified(_first_year(cols), side), g.copy()))
                add(f"{side}.{cid}.lifetime", _sum_if(_qualified(_lifetime(cols), side), g.copy()))
                open_ended = exp.and_(g.copy(), exp.Is(this=_qualified(sqlgen.col(cols.periods), side),
                                                        expression=exp.Null()))
                add(f"{side}.{cid}.open_ended", _count_if(open_ended))
                add(f"{side}.{cid}.open_ended_per_year", _sum_if(_qualified(_per_year(cols), side), open_ended.copy()))
                for phase in PHASES:
                    add(f"{side}.{cid}.{phase}", _sum_if(_qualified(_phase(cols, phase), side), g.copy()))
        g_old, g_new = granted("b", o), granted("r", n)
        w_old, w_new = worth("b", o), worth("r", n)
        l_old, l_new = life("b", o), life("r", n)
        more = exp.or_(exp.GT(this=w_new.copy(), expression=w_old.copy()),
                       exp.GT(this=l_new.copy(), expression=l_old.copy()))
        less = exp.or_(exp.LT(this=w_new.copy(), expression=w_old.copy()),
                       exp.LT(this=l_new.copy(), expression=l_old.copy()))
        add(f"{cid}.gain", _count_if(exp.or_(exp.and_(g_new.copy(), exp.not_(g_old.copy())),
                                             exp.and_(g_new.copy(), g_old.copy(), more))))
        add(f"{cid}.lose", _count_if(exp.or_(exp.and_(g_old.copy(), exp.not_(g_new.copy())),
                                             exp.and_(g_new.copy(), g_old.copy(), less))))
        add(f"{cid}.unchanged", _count_if(exp.and_(g_new.copy(), g_old.copy(), exp.not_(more.copy()),
                                                   exp.not_(less.copy()))))
        totals_old.append(exp.Add(this=w_old.copy(), expression=l_old.copy()))
        totals_new.append(exp.Add(this=w_new.copy(), expression=l_new.copy()))

    def summed(parts: list[exp.Expression]) -> exp.Expression:
        total: exp.Expression = sqlgen.money(CENTS)
        for part in parts:
            total = exp.Add(this=total, expression=exp.Paren(this=part))
        return total

    old_total, new_total = summed(totals_old), summed(totals_new)
    add(".gain", _count_if(exp.GT(this=new_total, expression=old_total)))
    add(".lose", _count_if(exp.LT(this=new_total.copy(), expression=old_total.copy())))
    add(".unchanged", _count_if(exp.EQ(this=new_total.copy(), expression=old_total.copy())))
    return columns, names, plan
