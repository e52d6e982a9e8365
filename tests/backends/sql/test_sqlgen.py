"""The SQL back end's building blocks: the query is valid in every dialect, calendar
arithmetic agrees with `qzdsl.dates`, the schedule cut agrees with `qzdsl.schedule`, and
`qzdsl compile --target sql` prints it. (Whole-policy agreement with the evaluator is
tests/test_sql_equivalence.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

import qzdsl
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql import query as sqlgen
from qzdsl.model import policy as m
from qzdsl.model.dates import shift
from qzdsl.backends.evaluator.schedule import _periods_until

from cli_runner import run_main

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "sql"
POLICIES = [None, FIXTURES / "housing.qz", FIXTURES / "employment.qz", FIXTURES / "trial_stop.qz"]
IDS = ["bundled", "housing", "employment", "trial_stop"]


@pytest.fixture(scope="module")
def trial_stop() -> m.Policy:
    return qzdsl.load(FIXTURES / "trial_stop.qz")


@pytest.mark.parametrize("path", POLICIES, ids=IDS)
@pytest.mark.parametrize("dialect", sqlgen.DIALECTS)
def test_the_query_parses_back_in_its_dialect(path, dialect):
    sql = sqlgen.to_sql(qzdsl.load(path), dialect)
    parsed = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(parsed, exp.Select)
    assert [c.alias_or_name for c in parsed.expressions][:3] == ["row_id", "kind", "as_of"]


def test_date_shifts_use_each_dialects_clamping_function(trial_stop):
    spark, trino, duck = (sqlgen.to_sql(trial_stop, d, pretty=False) for d in ("spark", "trino", "duckdb"))
    assert "ADD_MONTHS(`birth_date`, 420)" in spark  # + 35 years
    assert "DATE_ADD(`leave_start`, 98)" in spark  # + 98 days
    assert "DATE_ADD('YEAR', 35, \"birth_date\")" in trino
    assert "DATE_ADD('MONTH', -18, \"as_of\")" in trino  # - 18 months
    assert "ADD_MONTHS(`as_of`, -18)" in spark
    assert "CAST(\"birth_date\" + INTERVAL 35 YEAR AS DATE)" in duck


def test_duckdb_date_arithmetic_matches_dates_shift():
    """Month ends and 29 February clamp the same way in DuckDB and in `dates.shift`."""
    starts = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2023, 3, 31), dt.date(2023, 12, 31),
              dt.date(2020, 2, 29), dt.date(2025, 8, 31), dt.date(2023, 1, 1), dt.date(1964, 2, 29)]
    moves = [(1, "months"), (-1, "months"), (13, "months"), (1, "years"), (-4, "years"), (60, "years"),
             (98, "days"), (-30, "days"), (18, "months"), (-18, "months")]
    date = sqlgen.col("d")
    columns = [exp.alias_(sqlgen.shift_date(date, sqlgen.integer(amount), unit), f"c{i}")
               for i, (amount, unit) in enumerate(moves)]
    values = ", ".join(f"(DATE '{d.isoformat()}')" for d in starts)
    query = exp.select(*columns).from_(f"(VALUES {values}) AS t(d)").sql("duckdb")
    rows = duckdb.connect().execute(query).fetchall()
    expected = [tuple(shift(d, abs(a), u, 1 if a >= 0 else -1) for a, u in moves) for d in starts]
    assert rows == expected


@pytest.mark.parametrize("clause_id", ["trial_monthly", "trial_yearly", "trial_capped"])
def test_periods_before_the_window_end_match_the_schedule(trial_stop, clause_id):
    """The count of periods starting on or before the trial's end, for anchors all over
    the calendar, is `schedule._periods_until` — month ends and leap days included."""
    clause = trial_stop.clause(clause_id)
    compiler = sqlgen.ClauseCompiler(clause, sqlgen.ExprCompiler(trial_stop, sqlgen.col("as_of")))
    anchors = [dt.date(2023, 3, 1) + dt.timedelta(days=n) for n in range(0, 731, 3)]
    anchors += [dt.date(2024, 2, 29), dt.date(2023, 1, 31), dt.date(2025, 2, 28), dt.date(2024, 1, 29)]
    values = ", ".join(f"(DATE '{d.isoformat()}')" for d in anchors)
    column = clause.amount.anchor
    query = (exp.select(compiler._periods_until_end()).from_(f"(VALUES {values}) AS t({column})").sql("duckdb"))
    got = [row[0] for row in duckdb.connect().execute(query).fetchall()]
    spec = clause.amount
    firsts = [dt.date(a.year, 1, 1) if spec.calendar_year else a for a in anchors]
    assert got == [_periods_until(f, spec.cadence, clause.window.end) for f in firsts]


def test_conflict_groups_follow_policy_conflicts(trial_stop):
    groups = {tuple(c.id for c in g.clauses) for g in sqlcols.conflict_groups(trial_stop)}
    assert ("trial_monthly", "trial_open", "trial_yearly", "trial_once", "trial_capped") in groups
    assert ("trial_range", "standing_upto", "standing_floor", "standing_priority") in groups
    assert ("apprentice_pay", "firm_grant") in groups
    pay = next(g for g in sqlcols.conflict_groups(trial_stop) if g.clauses[0].id == "trial_monthly")
    monthly, once = trial_stop.clause("trial_monthly"), trial_stop.clause("trial_once")
    assert not pay.conflicts(monthly, once)  # stackable within the group


def test_a_group_takes_as_many_exclusion_rounds_as_its_longest_chain_of_conflicts(trial_stop):
    sql = sqlgen.to_sql(trial_stop, pretty=False)
    assert "exclusion_4 AS" in sql and "exclusion_5" not in sql
    clauses = trial_stop.clauses[:5]

    def group(*pairs: str) -> sqlcols.ConflictGroup:
        return sqlcols.ConflictGroup(clauses, frozenset(frozenset((clauses[int(a)].id, clauses[int(b)].id))
                                                         for a, b in pairs))

    assert group("01", "02", "03", "04", "12", "13", "14", "23", "24", "34").rounds == 1  # choose one
    assert group("01", "02", "03", "04").rounds == 2  # a star: the centre, then the others
    assert group("01", "12", "23", "34").rounds == 4  # a chain: one round per link
    assert group("01", "12", "20", "34", "13").rounds == 4  # a triangle with a tail


def test_unknown_dialect_is_refused(trial_stop):
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        sqlgen.to_sql(trial_stop, "oracle")


def test_result_columns_per_clause(trial_stop):
    columns = {c.clause.id: c for c in sqlcols.clause_columns(trial_stop)}
    plain = ("trial_monthly__status", "trial_monthly__excluded_by", "trial_monthly__low", "trial_monthly__high",
             "trial_monthly__periods", "trial_monthly__total_low", "trial_monthly__total_high")
    assert columns["trial_monthly"].names == plain
    # paid, due and projected only when asked (`--phases`)
    phased = {c.clause.id: c for c in sqlcols.clause_columns(trial_stop, phases=True)}
    assert phased["trial_monthly"].names == (
        *plain, *(f"trial_monthly__{phase}_{end}" for phase in ("paid", "due", "projected") for end in ("low", "high")))
    assert columns["standing_priority"].names == ("standing_priority__status", "standing_priority__excluded_by")
    assert not columns["existing_loans"].monetary  # a rule amount has nothing to compute


@pytest.mark.parametrize("dialect", sqlgen.DIALECTS)
def test_compile_prints_the_query(capsys, monkeypatch, tmp_path, dialect):
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path))
    code, out, _ = run_main(capsys, monkeypatch, "compile", "--target", "sql", "--dialect", dialect,
                       "--policy", str(FIXTURES / "housing.qz"), "--table", "population_2024")
    assert code == 0
    assert out == sqlgen.to_sql(qzdsl.load(FIXTURES / "housing.qz"), dialect, "population_2024") + "\n"
    assert "population_2024" in out
    assert "__paid_low" not in out
    code, phased, _ = run_main(capsys, monkeypatch, "compile", "--dialect", dialect, "--policy",
                               str(FIXTURES / "housing.qz"), "--phases")
    assert code == 0
    assert phased == sqlgen.to_sql(qzdsl.load(FIXTURES / "housing.qz"), dialect, phases=True) + "\n"
    assert "__paid_low" in phased and "__projected_high" in phased


def test_compile_refuses_an_unknown_dialect(capsys, monkeypatch):
    code, _, err = run_main(capsys, monkeypatch, "compile", "--target", "sql", "--dialect", "oracle")
    assert code == 2
    assert "oracle" in err


@pytest.mark.parametrize("dialect", sqlgen.DIALECTS)
def test_the_result_has_the_documented_columns_per_clause(trial_stop, dialect):
    """The result's layout (docs/scale.md) is its contract: a status and the clause that
    excluded it for every clause, and the amounts and schedule for a clause that pays a
    computable amount. What the query computes is pinned by the SQL-equivalence tests."""
    for phases in (False, True):
        parsed = sqlglot.parse_one(sqlgen.to_sql(trial_stop, dialect, phases=phases), read=dialect)
        expected = ["row_id", "kind", "as_of"]
        for clause in trial_stop.clauses:
            expected += [f"{clause.id}__status", f"{clause.id}__excluded_by"]
            if clause.pays_money:
                expected += [f"{clause.id}__{column}" for column in sqlcols.AMOUNT_PARTS
                             if phases or column not in sqlcols.PHASE_PARTS]
        assert [c.alias_or_name for c in parsed.expressions] == expected


def test_carried_columns_pass_through_to_the_end(trial_stop):
    sql = sqlgen.to_sql(trial_stop, carry=("county",), pretty=False)
    connection = duckdb.connect()
    connection.execute("CREATE TABLE cases AS SELECT 7 AS row_id, 'firm' AS kind, DATE '2024-06-01' AS as_of, "
                       "'柯城区' AS county, * FROM (SELECT " + ", ".join(
                           f"CAST(NULL AS {sqlcols.COLUMN_TYPES[f.type]}) AS \"{f.name}\""
                           for f in trial_stop.facts.values()) + ")")
    result = connection.execute(sql)
    names = [d[0] for d in result.description]
    assert names[:3] == ["row_id", "kind", "as_of"] and names[-1] == "county"
    row = result.fetchone()
    assert row[:3] == (7, "firm", dt.date(2024, 6, 1)) and row[-1] == "柯城区"
