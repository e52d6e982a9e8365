"""Batch input that cannot be meant as written is refused, not guessed (issue 18 item 6):
repeated columns, ragged rows, misspelt fact columns, money as number or string in JSON
lines, and the names `compile --table` and `--carry` put into SQL. The probes are the data
files in tests/fixtures/batch_input/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import sqlglot

import qzdsl
from qzdsl.backends.sql import batch
from qzdsl.backends.sql import query as sqlgen

from cli_runner import run_main

ROOT = Path(__file__).resolve().parents[3]
PROBES = ROOT / "tests" / "fixtures" / "batch_input"
HOUSING = ROOT / "tests" / "fixtures" / "sql" / "housing.qz"
AS_OF = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def housing():
    return qzdsl.load(HOUSING)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))


def _refusal(policy, source: Path, tmp_path: Path, **options) -> str:
    with pytest.raises(batch.BatchInputError) as raised:
        batch.evaluate_file(policy, source, tmp_path / "out.parquet", as_of=AS_OF, **options)
    assert not (tmp_path / "out.parquet").exists()
    return str(raised.value)


# ---- the file's shape --------------------------------------------------------------------


def test_a_repeated_csv_column_is_an_error_naming_both(housing, tmp_path):
    message = _refusal(housing, PROBES / "repeated_column.csv", tmp_path)
    assert "'no_home' appears twice" in message and "columns 3 and 5" in message


def test_a_repeated_parquet_column_is_an_error_naming_both(housing, tmp_path):
    # DuckDB renames a repeated column when it writes, so the probe is made with the
    # Parquet schema of a file that has two columns of one name, as pyarrow allows.
    pyarrow = pytest.importorskip("pyarrow", reason="pyarrow writes Parquet files with repeated column names")
    import pyarrow.parquet as pq

    table = pyarrow.table([["p1"], ["person"], [True], [False]], names=["row_id", "kind", "no_home", "no_home"])
    pq.write_table(table, tmp_path / "repeated.parquet")
    message = _refusal(housing, tmp_path / "repeated.parquet", tmp_path)
    assert "'no_home' appears twice" in message and "columns 3 and 4" in message


def test_a_key_repeated_in_a_json_line_is_an_error_naming_its_line(housing, tmp_path):
    message = _refusal(housing, PROBES / "repeated_key.jsonl", tmp_path)
    assert "repeated_key.jsonl:2:" in message and "'no_home' appears twice" in message


def test_a_ragged_row_is_an_error_naming_its_line(housing, tmp_path):
    message = _refusal(housing, PROBES / "ragged_row.csv", tmp_path)
    assert "ragged_row.csv:3:" in message and "3 fields, the header 4" in message
    assert "kind" not in message  # not the misleading "no 'kind' column" of before


def test_a_column_close_to_a_fact_is_an_error_with_a_did_you_mean(housing, tmp_path):
    message = _refusal(housing, PROBES / "misspelt_column.csv", tmp_path)
    assert "'no_hom' is no fact" in message and "did you mean 'no_home'?" in message
    summary = batch.evaluate_file(housing, PROBES / "misspelt_column.csv", tmp_path / "out.parquet", as_of=AS_OF,
                                  ignore_unknown=True)
    assert summary.unused_columns == ("no_hom",) and "no_home" in summary.missing_facts


def test_a_column_unlike_any_fact_is_only_listed(housing, tmp_path):
    summary = batch.evaluate_file(housing, PROBES / "unrelated_column.csv", tmp_path / "out.parquet", as_of=AS_OF)
    assert summary.unused_columns == ("unrelated_note",) and summary.rows_out == 1


def test_the_cli_refuses_a_misspelt_column_unless_told_to_ignore_it(capsys, monkeypatch, tmp_path):
    args = ("eval", "--batch", str(PROBES / "misspelt_column.csv"), "--out", str(tmp_path / "r.parquet"),
            "--policy", str(HOUSING), "--as-of", "2024-01-01", "--lang", "en")
    code, _, err = run_main(capsys, monkeypatch, *args)
    assert code == 2 and "did you mean 'no_home'?" in err
    code, out, _ = run_main(capsys, monkeypatch, *args, "--ignore-unknown-columns")
    assert code == 0 and "no_hom" in out
    code, _, err = run_main(capsys, monkeypatch, "simulate", str(PROBES / "misspelt_column.csv"), "--policy",
                            str(HOUSING), "--lang", "en")
    assert code == 2 and "did you mean 'no_home'?" in err


# ---- values ------------------------------------------------------------------------------


def test_json_money_may_be_a_number_or_a_string_in_any_row(housing, tmp_path):
    out = tmp_path / "out.parquet"
    summary = batch.evaluate_file(housing, PROBES / "money_number_or_string.jsonl", out, as_of=AS_OF, lang="en",
                                  layout=batch.Layout.wide)
    assert (summary.rows_out, summary.rows_rejected) == (3, 1)
    rows = duckdb.connect().execute(f"SELECT * FROM '{out}'").fetchall()
    assert len({row[1:] for row in rows}) == 1  # the number, the string and the whole number agree
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8")
    assert "250.505" in errors and "two decimal places" in errors  # a sub-fen string is still refused


# ---- names put into SQL --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", sqlgen.DIALECTS)
@pytest.mark.parametrize("table", ["from", "db.from", "select", "cat.order.group", "cases"])
def test_a_table_named_like_a_keyword_is_quoted_so_the_sql_parses_back(housing, dialect, table):
    sql = sqlgen.to_sql(housing, dialect, table=table, pretty=False)
    tables = {t.name for t in sqlglot.parse_one(sql, read=dialect).find_all(sqlglot.exp.Table)}
    assert table.split(".")[-1] in tables


@pytest.mark.parametrize("table", ["a b", "x;drop table y", "a..b", "1abc", "a.b.c.d", ""])
def test_a_table_name_that_is_not_one_is_refused(housing, table):
    with pytest.raises(sqlgen.SqlNameError, match="not a table name"):
        sqlgen.to_sql(housing, "spark", table=table)


@pytest.mark.parametrize(("carry", "why"), [(("",), "needs a name"), (("kind",), "a column of the result"),
                                            (("purchase_once__status",), "a column of the result"),
                                            (("county", "county"), "carried twice")])
def test_carried_columns_are_validated(housing, carry, why):
    with pytest.raises(sqlgen.SqlNameError, match=why):
        sqlgen.to_sql(housing, "trino", carry=carry)


def test_carried_columns_come_last_and_parse_back(housing, capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "compile", "--dialect", "spark", "--policy", str(HOUSING),
                            "--table", "qz.from", "--carry", "county", "--carry", "select")
    assert code == 0
    select = sqlglot.parse_one(out, read="spark")
    assert [e.alias_or_name for e in select.expressions][-2:] == ["county", "select"]
    code, _, err = run_main(capsys, monkeypatch, "compile", "--policy", str(HOUSING), "--carry", "kind")
    assert code == 2 and "--carry" in err
