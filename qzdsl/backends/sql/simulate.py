"""The fiscal exposure of a policy over a population: per clause and per section, how
many applicants are granted and how much is paid in the first year and over the life of
the grants.

The population file is read, validated and evaluated exactly as by `qzdsl eval --batch`
(`batch.stage`); the totals are one aggregate query over the results.

Amounts count at the favourable end the evaluator ranks by (`results.Payout.value`): a
ceiling ("up to", a range) at its ceiling, a floor ("at least") at its floor. The
*first year* of a grant is what it pays in its first twelve months: a one-off in full, a
yearly amount once, a monthly amount up to twelve times, never more than its lifetime
total. The *lifetime* sums the grants that have an end; open-ended grants (recurring with
no maximum duration) are counted apart, since they have no lifetime total. A clause that
releases the applicant's own balance (`own_balance`) has its figures, but is in no section
or policy total: it is no public money.
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
from qzdsl.backends.sql.batch import Layout, stage
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
    total: Exposure


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


def _aggregates(policy: m.Policy) -> tuple[list[exp.Expression], list[str]]:
    """The aggregate columns of the one query, and their names in order."""
    columns: list[exp.Expression] = []
    names_out: list[str] = []

    def add(name: str, expression: exp.Expression) -> None:
        columns.append(exp.alias_(expression, name, quoted=True))
        names_out.append(name)

    all_columns = sqlcols.clause_columns(policy)
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
    for ref, members in _sections(policy).items():
        add(f"{ref}.granted", _count_if(exp.or_(*(_status(n.status, Status.GRANTED) for n in members))))
    add(".granted", _count_if(exp.or_(*(_status(n.status, Status.GRANTED) for n in all_columns))))
    return columns, names_out


def _sections(policy: m.Policy) -> dict[str, list[sqlcols.ClauseColumns]]:
    """The clause columns of each section, sections in the policy's order."""
    sections: dict[str, list[sqlcols.ClauseColumns]] = {}
    for names in sqlcols.clause_columns(policy):
        sections.setdefault(names.clause.section, []).append(names)
    return sections


def simulate(policy: m.Policy, source: Path, as_of: dt.date | None = None, lang: str = "zh",
             progress: bool = False, threads: int | None = None, memory_limit: str | None = None,
             ignore_unknown: bool = False) -> Simulation:
    """Evaluate the population in `source` and total it per clause, section and policy."""
    with DuckDB(threads, memory_limit) as engine:
        staged = stage(engine, policy, Path(source), as_of, lang, Layout.wide, ignore_unknown)
        rows_in = staged.count("checked_cases")
        rows_evaluated = staged.count("cases")
        columns, names = _aggregates(policy)
        sql = exp.select(*columns).from_("results").sql("duckdb")
        description = label("batch.progress", lang).format(rows=f"{rows_evaluated:,}")
        values = dict(zip(names, run_with_progress(engine.connection, sql, description, progress)[0]))

    clauses = []
    for names in sqlcols.clause_columns(policy):
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
        )))
    # Public exposure: the release of an applicant's own balance is shown per clause but
    # is no public money, so no section or policy total counts it.
    public = [c for c in clauses if not c.clause.own_balance]
    sections = tuple(
        SectionExposure(ref, members[0].clause.section_title,
                        _summed(values[f"{ref}.granted"], [c.exposure for c in public if c.clause.section == ref]))
        for ref, members in _sections(policy).items()
    )
    total = _summed(values[".granted"], [c.exposure for c in public])
    return Simulation(policy.info.doc_number, policy.sha256, str(source), staged.as_of, rows_in, rows_evaluated,
                      rows_in - rows_evaluated, tuple(clauses), sections, total)


def _summed(granted: int, exposures: list[Exposure]) -> Exposure:
    def total(amounts) -> Decimal:
        return sum((a for a in amounts if a is not None), CENTS)

    return Exposure(granted, total(e.first_year for e in exposures), total(e.lifetime for e in exposures),
                    sum(e.open_ended for e in exposures),
                    open_ended_per_year=total(e.open_ended_per_year for e in exposures))
