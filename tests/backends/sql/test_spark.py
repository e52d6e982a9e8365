"""The batch runner on Apache Spark gives what it gives on DuckDB, and what the evaluator
gives, row by row.

Populations are drawn by the strategies of `test_sql_equivalence` — every applicant kind,
facts missing at random, dates on the edges of the windows and durations and on 29
February, money on its thresholds — for the bundled policy and the three fixture policies,
plus rows that must be rejected. Each population is evaluated by `batch.evaluate_file` on
a local SparkSession and on DuckDB: the result files must be equal (rows, order, column
types, metadata), the errors files byte for byte, and every row must agree with
`qzdsl.evaluator` on status, excluded_by and amounts.

One SparkSession serves the whole module (starting one takes seconds), and each policy's
cases are evaluated in one run. Skipped where PySpark or Java is missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.backends.sql import batch
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql.simulate import simulate
from qzdsl.output import CannotWrite

from test_sql_equivalence import POLICIES, _actual, _constants, _expected, cases, cases_table

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
if not shutil.which("java"):
    pytest.skip("Java is not installed (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from qzdsl.backends.sql.spark import Spark, session  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"
AS_OF = dt.date(2024, 6, 30)
BATCHES = 4  # hypothesis batches per policy, concatenated into one population


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    """The local folder that the session's `viewfs://lake/data/` names."""
    return tmp_path_factory.mktemp("lake")


@pytest.fixture(scope="module")
def spark(lake):
    started = session("local[2]", {
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.memory": "1g",
        # Small splits, so that even these files are read as several partitions and the
        # order of the results is tested across them.
        "spark.sql.files.maxPartitionBytes": "16k",
        "spark.sql.files.openCostInBytes": "0",
        # A Hadoop file system that is not `file:` and needs no network: Hadoop's view
        # file system, whose mount table links viewfs://lake/data to a local folder. A URI
        # of it takes the path an s3a:// or hdfs:// URI takes (docs/scale.md).
        "spark.hadoop.fs.viewfs.mounttable.lake.link./data": f"file://{lake}",
    })
    yield started
    started.stop()


def _population(policy) -> list[dict]:
    """Cases drawn by hypothesis (deterministically), `BATCHES` batches in one list."""
    drawn: list[dict] = []
    constants = _constants(policy)

    @settings(max_examples=BATCHES, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(cases(policy, constants), min_size=60, max_size=160))
    def draw(batch_of_cases):
        drawn.extend(batch_of_cases)

    draw()
    return drawn


def _rows(path: Path) -> list[tuple]:
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def _schema(path: Path) -> list[tuple]:
    return [(f.name, str(f.type)) for f in pq.read_schema(path)]


def _metadata(path: Path) -> dict:
    return json.loads(pq.read_schema(path).metadata[b"qzdsl"])


def _both(policy, source: Path, tmp_path: Path, spark, **options) -> dict[str, tuple[batch.BatchSummary, Path]]:
    """`source` evaluated on DuckDB and on Spark; per engine its summary and result file."""
    runs = {}
    for name in ("duckdb", "spark"):
        out = tmp_path / f"{name}.parquet"
        engine = Spark(spark) if name == "spark" else None
        runs[name] = (batch.evaluate_file(policy, source, out, as_of=AS_OF, lang="en", engine=engine, **options),
                      out)
    return runs


def _assert_same_files(runs) -> None:
    (duck, duck_out), (spark, spark_out) = runs["duckdb"], runs["spark"]
    assert (spark.rows_in, spark.rows_out, spark.rows_rejected) == (duck.rows_in, duck.rows_out, duck.rows_rejected)
    assert spark.reconciled
    assert _schema(spark_out) == _schema(duck_out)
    assert _metadata(spark_out) == _metadata(duck_out)
    assert _rows(spark_out) == _rows(duck_out)
    assert Path(spark.errors).read_bytes() == Path(duck.errors).read_bytes()


@pytest.mark.parametrize("name", list(POLICIES))
def test_spark_duckdb_and_the_evaluator_agree_on_generated_populations(name, spark, tmp_path):
    policy = qzdsl.load(POLICIES[name])
    population = _population(policy)
    source = tmp_path / "population.parquet"
    pq.write_table(cases_table(policy, population), source)

    # With the paid / due / projected columns (`--phases`), so that those agree too.
    runs = _both(policy, source, tmp_path, spark, phases=True)
    _assert_same_files(runs)
    summary, out = runs["spark"]
    assert summary.rows_out == len(population)
    # Read back whole (`batch.widen`), every row agrees with the evaluator, in input order.
    connection = duckdb.connect()
    result = connection.execute(f"SELECT * FROM read_parquet('{out}')")
    names = [d[0] for d in result.description]
    metadata = _metadata(out)
    columns = sqlcols.clause_columns(policy, phases=True)
    for number, (values, case) in enumerate(zip(result.fetchall(), population)):
        row = batch.widen(policy, dict(zip(names, values)), metadata)
        assert row["row_id"] == number
        expected, actual = _expected(policy, case), _actual(row, columns)
        assert actual == expected, f"case {case}:\n" + "\n".join(
            f"  {cid}: spark {actual.get(cid)} != evaluator {expected.get(cid)}"
            for cid in sorted(set(expected) | set(actual)) if actual.get(cid) != expected.get(cid))


def test_rejected_rows_get_the_same_reasons_and_errors_file(spark, tmp_path):
    # Unknown kinds, labels for kinds and members, bad yes/no, impossible dates, negative
    # money and money below the fen, a fact of another kind: text parsed by Spark's SQL.
    policy = qzdsl.load(FIXTURES / "housing.qz")
    runs = _both(policy, FIXTURES / "population.csv", tmp_path, spark)
    _assert_same_files(runs)
    summary = runs["spark"][0]
    assert summary.rows_rejected > 0
    assert Path(summary.errors).read_text(encoding="utf-8") == (
        FIXTURES / "population.errors.en.csv").read_text(encoding="utf-8")


def test_simulate_on_spark_gives_the_same_exposure(spark, tmp_path):
    policy = qzdsl.load(FIXTURES / "employment.qz")
    source = tmp_path / "population.parquet"
    pq.write_table(cases_table(policy, _population(policy)), source)
    assert simulate(policy, source, AS_OF, "en", engine=Spark(spark)) == simulate(policy, source, AS_OF, "en")


def test_spark_reports_a_bad_file_as_duckdb_does(spark, tmp_path):
    policy = qzdsl.load(FIXTURES / "housing.qz")
    source = tmp_path / "repeated.csv"
    source.write_text("kind,no_home,no_home\nperson,true,false\n", encoding="utf-8")
    with pytest.raises(batch.BatchInputError, match="appears twice"):
        batch.evaluate_file(policy, source, tmp_path / "out.parquet", engine=Spark(spark))


@pytest.mark.parametrize("name", ["housing", "employment"])
def test_spark_reads_every_spelling_as_duckdb_and_a_case_file_do(name, spark, tmp_path):
    # Money as 2.5万, ２００００ or 两万元, dates as 2024年6月1日, yes/no as 是, labels in other
    # case, and misspellings: the distinct spellings are read in Python and joined back on
    # Spark as on DuckDB, to the same values and the same reasons as a case file's.
    from test_spellings import assert_same, batch_rows, spelt_row, write_population

    policy = qzdsl.load(POLICIES[name])
    rows: list[dict] = []

    @settings(max_examples=2, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(spelt_row(policy), min_size=40, max_size=80))
    def draw(drawn):
        rows.extend(drawn)

    draw()
    source = tmp_path / "spelt.csv"
    write_population(policy, rows, source)
    _assert_same_files(_both(policy, source, tmp_path, spark))
    assert_same(policy, rows, batch_rows(policy, source, "en", engine=Spark(spark)), "en")


# ---- data-lake URIs ------------------------------------------------------------------------


def _lake_files(lake: Path) -> list[str]:
    """The names in the lake folder, less Hadoop's checksum files."""
    return sorted(p.name for p in lake.iterdir() if not p.name.endswith(".crc"))


def test_a_data_lake_uri_is_read_and_written_by_spark_as_a_local_file_is(spark, lake, tmp_path):
    # The rejected rows of the fixture (CSV: header read through Spark) and a generated
    # Parquet population, read from and written to viewfs:// URIs; the files equal
    # DuckDB's from local paths, the errors file byte for byte. An old result at the
    # target is replaced.
    housing = qzdsl.load(FIXTURES / "housing.qz")
    shutil.copy(FIXTURES / "population.csv", lake / "housing.csv")
    employment = qzdsl.load(FIXTURES / "employment.qz")
    pq.write_table(cases_table(employment, _population(employment)), lake / "employment.parquet")
    (lake / "housing-results.parquet").write_bytes(b"an old result")
    for policy, name in ((housing, "housing.csv"), (employment, "employment.parquet")):
        stem = name.split(".")[0]
        spark_run = batch.evaluate_file(policy, f"viewfs://lake/data/{name}",
                                        f"viewfs://lake/data/{stem}-results.parquet", as_of=AS_OF, lang="en",
                                        engine=Spark(spark))
        duck_out = tmp_path / f"{stem}.parquet"
        duck_run = batch.evaluate_file(policy, lake / name, duck_out, as_of=AS_OF, lang="en")
        assert spark_run.errors == f"viewfs://lake/data/{stem}-results.errors.csv"
        _assert_same_files({"duckdb": (duck_run, duck_out),
                            "spark": (dataclasses.replace(spark_run, errors=str(lake / f"{stem}-results.errors.csv")),
                                      lake / f"{stem}-results.parquet")})
    assert (lake / "housing-results.errors.csv").read_bytes() == (
        FIXTURES / "population.errors.en.csv").read_bytes()
    # Nothing is left beside the targets: no part folder, no staging file.
    assert _lake_files(lake) == ["employment-results.errors.csv", "employment-results.parquet", "employment.parquet",
                                 "housing-results.errors.csv", "housing-results.parquet", "housing.csv"]


def test_file_uris_are_local_paths_on_both_engines(spark, tmp_path):
    policy = qzdsl.load(FIXTURES / "housing.qz")
    source = f"file://{FIXTURES / 'population.csv'}"
    runs = {}
    for name, engine in (("duckdb", None), ("spark", Spark(spark))):
        out = tmp_path / f"{name}.parquet"
        runs[name] = (batch.evaluate_file(policy, source, f"file://{out}", as_of=AS_OF, lang="en", engine=engine), out)
    _assert_same_files(runs)
    assert runs["spark"][0].out == str(tmp_path / "spark.parquet")


def test_a_failed_write_to_a_uri_leaves_the_old_result_and_nothing_beside_it(spark, lake, monkeypatch):
    from qzdsl.backends.sql import spark as spark_engine

    folder = lake / "failed"
    folder.mkdir()
    policy = qzdsl.load(FIXTURES / "housing.qz")
    shutil.copy(FIXTURES / "population.csv", folder / "population.csv")
    (folder / "results.parquet").write_bytes(b"the old result")

    def broken_upload(self, local, uri):  # the copy into the lake fails half-way
        stream = self._fs(uri).create(self.path(uri))
        stream.write(bytearray(b"PAR1 half a file"))
        stream.close()
        raise OSError("No space left on device")

    monkeypatch.setattr(spark_engine.Hadoop, "upload", broken_upload)
    # Said of the results file, as the CLI prints it: cannot write URI: reason.
    with pytest.raises(CannotWrite, match="cannot write viewfs://lake/data/failed/results.parquet: No space left"):
        batch.evaluate_file(policy, "viewfs://lake/data/failed/population.csv",
                            "viewfs://lake/data/failed/results.parquet", as_of=AS_OF, lang="en", engine=Spark(spark))
    assert (folder / "results.parquet").read_bytes() == b"the old result"
    assert _lake_files(folder) == ["population.csv", "results.parquet"]


@pytest.mark.parametrize("case", ["folder", "input", "missing", "source-folder", "scheme"])
def test_uris_are_checked_before_any_work(case, spark, lake):
    policy = qzdsl.load(FIXTURES / "housing.qz")
    shutil.copy(FIXTURES / "population.csv", lake / "checked.csv")
    (lake / "a-folder.parquet").mkdir(exist_ok=True)
    source, out, expected = "viewfs://lake/data/checked.csv", "viewfs://lake/data/out.parquet", ""
    if case == "folder":
        out = "viewfs://lake/data/a-folder.parquet"
        expected = f"cannot write {out}: it is a folder"
    elif case == "input":
        out, expected = "viewfs://lake/data/checked.csv", "one of this command's inputs"
    elif case == "missing":
        source, expected = "viewfs://lake/data/absent.csv", "no such file: viewfs://lake/data/absent.csv"
    elif case == "source-folder":
        source, expected = "viewfs://lake/data/a-folder.parquet", "is a folder; give one file"
    else:
        source, expected = "nosuch://bucket/population.csv", 'No FileSystem for scheme "nosuch"'
    with pytest.raises(batch.BatchInputError, match=re.escape(expected)):
        batch.evaluate_file(policy, source, out, as_of=AS_OF, engine=Spark(spark))
    assert not (lake / "out.parquet").exists()
