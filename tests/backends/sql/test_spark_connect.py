"""`--engine spark` through Spark Connect, against a real server.

A Connect server runs in a process of its own (`spark_connect_server.py`: local Spark with
the Connect plugin, on a free port of 127.0.0.1), as a cluster's would; qzdsl is its
client, through `SPARK_REMOTE` or `--spark-remote`, with no JVM of its own. The same
equivalence as `test_spark.py` must hold: the result files equal DuckDB's, the errors file
byte for byte, and every row agrees with the evaluator.

Skipped, with the reason, where PySpark, Java or the Connect client's packages (grpcio,
grpcio-status, googleapis-common-protos, pandas, pyarrow, zstandard: the `[spark-connect]`
extra) are missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
if not shutil.which("java"):
    pytest.skip("Java is not installed (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from qzdsl.backends.sql.spark import connect_client_missing  # noqa: E402
_MISSING = connect_client_missing()
if _MISSING:
    pytest.skip(f"the Spark Connect client needs {', '.join(_MISSING)} (pip install '.[spark-connect]')",
                allow_module_level=True)

import duckdb  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import qzdsl  # noqa: E402
from qzdsl.backends.sql import batch  # noqa: E402
from qzdsl.backends.sql import columns as sqlcols  # noqa: E402
from qzdsl.backends.sql.simulate import simulate  # noqa: E402
from qzdsl.backends.sql.spark import Spark, is_connect, session  # noqa: E402

from test_spark import AS_OF, FIXTURES, _assert_same_files, _metadata, _population  # noqa: E402
from test_sql_equivalence import POLICIES, _actual, _expected, cases_table  # noqa: E402

SERVER = Path(__file__).with_name("spark_connect_server.py")
START_TIMEOUT = 300  # seconds for the server's JVM to start on a loaded 2-core machine
# What PySpark's Connect client sets in the environment of the process that uses it.
_CLIENT_ENVIRONMENT = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """The address (`sc://127.0.0.1:PORT`) of a Connect server started for this module."""
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    environment = {k: v for k, v in os.environ.items() if k not in _CLIENT_ENVIRONMENT}
    with open(log, "w+", encoding="utf-8") as output:
        server = subprocess.Popen([sys.executable, str(SERVER), str(port)], stdin=subprocess.PIPE, stdout=output,
                                  stderr=subprocess.STDOUT, env=environment, text=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while "ready" not in log.read_text(encoding="utf-8"):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Spark Connect server did not start:\n{log.read_text(encoding='utf-8')[-3000:]}")
                time.sleep(0.5)
            yield f"sc://127.0.0.1:{port}"
        finally:
            server.stdin.close()  # the server stops its Spark and exits
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="module")
def client(remote):
    """One Connect client session for the module; the environment PySpark's client sets
    is restored afterwards, so that later tests start classic sessions again."""
    saved = {k: os.environ.get(k) for k in _CLIENT_ENVIRONMENT}
    spark = session(remote=remote)
    assert is_connect(spark)
    yield spark
    spark.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _both(policy, source, tmp_path, client, **options):
    runs = {}
    for name in ("duckdb", "spark"):
        out = tmp_path / f"{name}.parquet"
        engine = Spark(client) if name == "spark" else None
        runs[name] = (batch.evaluate_file(policy, source, out, as_of=AS_OF, lang="en", engine=engine, **options),
                      out)
    return runs


def test_through_spark_connect_spark_duckdb_and_the_evaluator_agree(client, tmp_path):
    policy = qzdsl.load(POLICIES["bundled"])
    population = _population(policy)
    source = tmp_path / "population.parquet"
    pq.write_table(cases_table(policy, population), source)
    runs = _both(policy, source, tmp_path, client, phases=True)  # the paid / due / projected columns too
    _assert_same_files(runs)
    summary, out = runs["spark"]
    assert summary.rows_out == len(population)
    result = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}')")
    names = [d[0] for d in result.description]
    metadata, columns = _metadata(out), sqlcols.clause_columns(policy, phases=True)
    for values, case in zip(result.fetchall(), population):
        row = batch.widen(policy, dict(zip(names, values)), metadata)
        assert _actual(row, columns) == _expected(policy, case), case


def test_through_spark_connect_rejected_rows_and_simulate_are_the_same(client, tmp_path):
    housing = qzdsl.load(FIXTURES / "housing.qz")
    runs = _both(housing, FIXTURES / "population.csv", tmp_path, client)
    _assert_same_files(runs)
    assert Path(runs["spark"][0].errors).read_bytes() == (FIXTURES / "population.errors.en.csv").read_bytes()
    assert (simulate(housing, FIXTURES / "population.csv", AS_OF, "en", engine=Spark(client))
            == simulate(housing, FIXTURES / "population.csv", AS_OF, "en"))


def test_through_spark_connect_a_uri_result_is_refused_before_any_work(client):
    policy = qzdsl.load(FIXTURES / "housing.qz")
    with pytest.raises(batch.BatchInputError, match="through Spark Connect qzdsl writes only local files"):
        batch.evaluate_file(policy, FIXTURES / "population.csv", "viewfs://lake/data/out.parquet", as_of=AS_OF,
                            engine=Spark(client))


@pytest.mark.parametrize("how", ["SPARK_REMOTE", "--spark-remote"])
def test_the_cli_runs_through_spark_connect(how, remote, tmp_path):
    # A process of its own, as a user runs it: the summary and the files equal DuckDB's.
    environment = {k: v for k, v in os.environ.items() if k not in _CLIENT_ENVIRONMENT}
    environment["QZDSL_READ_ROOT"] = str(FIXTURES.parents[2])
    args = [sys.executable, "-m", "qzdsl", "eval", "--policy", str(FIXTURES / "housing.qz"), "--batch",
            str(FIXTURES / "population.csv"), "--as-of", AS_OF.isoformat(), "--lang", "en", "--format", "json"]
    if how == "SPARK_REMOTE":
        environment["SPARK_REMOTE"] = remote
        spark_args = ["--engine", "spark"]
    else:
        spark_args = ["--engine", "spark", "--spark-remote", remote]
    runs = {}
    for name, extra in (("duckdb", []), ("spark", spark_args)):
        out = tmp_path / f"{name}.parquet"
        done = subprocess.run([*args, "--out", str(out), *extra], capture_output=True, text=True, env=environment,
                              timeout=600)
        assert done.returncode == 1, done.stderr  # rows were rejected
        assert "Traceback" not in done.stderr and "WARN" not in done.stderr, done.stderr
        runs[name] = (done.stdout, out)
    assert runs["spark"][0].replace("spark.", "duckdb.") == runs["duckdb"][0]
    assert (tmp_path / "spark.errors.csv").read_bytes() == (tmp_path / "duckdb.errors.csv").read_bytes()
    assert duckdb.connect().execute(
        f"SELECT count(*) FROM (SELECT * FROM '{runs['spark'][1]}' EXCEPT ALL SELECT * FROM '{runs['duckdb'][1]}')"
    ).fetchone() == (0,)
