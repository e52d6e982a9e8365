"""`--engine spark` where Spark cannot run: one clear message, no traceback (these tests
need neither PySpark nor Java)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qzdsl.backends.sql.batch import BatchInputError
from qzdsl.backends.sql.spark import SparkUnavailable, parse_conf, session

from cli_runner import run_main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"


def test_without_pyspark_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import fails as when not installed
    with pytest.raises(SparkUnavailable, match=r"pip install 'qzdsl\[spark\]'"):
        session()


def test_without_java_the_message_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark", reason="PySpark is not installed: the Java check comes after the import")
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SparkUnavailable, match="openjdk-17-jre-headless"):
        session()


def test_conf_pairs_are_key_equals_value():
    assert parse_conf(["spark.driver.memory=4g", " a.b = c=d "]) == {"spark.driver.memory": "4g", "a.b": "c=d"}
    with pytest.raises(BatchInputError, match="key=value"):
        parse_conf(["spark.driver.memory"])


def test_the_cli_reports_a_missing_engine_as_a_usage_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code, _, err = run_main(capsys, monkeypatch, "eval", "--batch", str(FIXTURES / "population.csv"),
                            "--out", str(tmp_path / "out.parquet"), "--engine", "spark")
    assert code == 2 and "pip install 'qzdsl[spark]'" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--spark-master", "local[1]"], ["--conf", "a=b"]])
def test_spark_options_need_the_spark_engine(capsys, monkeypatch, tmp_path, args):
    code, _, err = run_main(capsys, monkeypatch, "eval", "--batch", str(FIXTURES / "population.csv"),
                            "--out", str(tmp_path / "out.parquet"), *args)
    assert code == 2 and "--engine spark" in err


def test_spark_connect_without_its_client_packages_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    from qzdsl.backends.sql import spark

    monkeypatch.setattr(spark, "connect_client_missing", lambda: ["grpcio", "pandas"])
    with pytest.raises(SparkUnavailable, match=r"needs grpcio, pandas, which are not installed: "
                                               r"pip install 'qzdsl\[spark-connect\]'"):
        session(remote="sc://127.0.0.1:15002")


def test_an_unreachable_spark_connect_server_is_said_at_once(monkeypatch):
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    import socket

    from qzdsl.backends.sql import spark

    monkeypatch.setattr(spark, "connect_client_missing", lambda: [])
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SparkUnavailable, match=f"cannot reach the Spark Connect server sc://127.0.0.1:{port}"):
        session(remote=f"sc://127.0.0.1:{port}")
    monkeypatch.setenv("SPARK_REMOTE", "sc://[bad")
    with pytest.raises(SparkUnavailable, match="no Spark Connect address"):
        session()


@pytest.mark.parametrize("args", [
    ["eval", "--batch", "s3a://bucket/population.parquet", "--out", "{tmp}/out.parquet"],
    ["eval", "--batch", str(FIXTURES / "population.csv"), "--out", "hdfs://nn/results/out.parquet"],
    ["eval", "--batch", str(FIXTURES / "population.csv"), "--out", "{tmp}/out.parquet",
     "--errors", "abfss://c@a.dfs.core.windows.net/errors.csv"],
    ["simulate", "gs://bucket/population.parquet"],
    ["simulate", "gs://bucket/population.parquet", "--reform", str(FIXTURES / "housing-reform.qz")],
])
def test_duckdb_refuses_a_data_lake_uri_and_names_the_spark_engine(capsys, monkeypatch, tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run_main(capsys, monkeypatch, *args, "--policy", str(FIXTURES / "housing.qz"))
    assert code == 2 and "数据湖 URI 须用 --engine spark" in err and "Traceback" not in err  # in the reader's language
    assert not list(tmp_path.iterdir())


def test_duckdb_reads_and_writes_file_uris(capsys, monkeypatch, tmp_path):
    code, out, err = run_main(capsys, monkeypatch, "eval", "--policy", str(FIXTURES / "housing.qz"),
                              "--batch", f"file://{FIXTURES / 'population.csv'}", "--out",
                              f"file://{tmp_path}/out.parquet", "--as-of", "2024-06-30", "--lang", "en")
    assert code == 1, err  # the fixture has rows to reject
    assert (tmp_path / "out.errors.csv").read_bytes() == (FIXTURES / "population.errors.en.csv").read_bytes()
    assert (tmp_path / "out.parquet").is_file()


@pytest.mark.parametrize("text, local", [
    ("population.parquet", Path("population.parquet")),
    ("a:b.parquet", Path("a:b.parquet")),
    ("file:/data/p.parquet", Path("/data/p.parquet")),
    ("file:///data/p.parquet", Path("/data/p.parquet")),
    ("file://localhost/data/a%20b.parquet", Path("/data/a%20b.parquet")),
    ("file://otherhost/data/p.parquet", None),
    ("s3a://bucket/p.parquet", None),
    ("viewfs://cluster/data/p.parquet", None),
])
def test_locations(text, local):
    from qzdsl import location

    assert location.local(text) == local
    assert location.suffix(text) == ".parquet"
    assert location.is_remote(text) is (local is None)


def test_the_errors_file_of_a_uri_result_is_its_sibling():
    from qzdsl.backends.sql.batch import default_errors_path

    assert default_errors_path("s3a://bucket/run/results.parquet") == "s3a://bucket/run/results.errors.csv"
    assert default_errors_path(Path("/data/results.csv")) == Path("/data/results.errors.csv")


def test_a_policy_that_does_not_compile_is_said_before_spark_starts(capsys, monkeypatch, tmp_path):
    from qzdsl.backends.sql import spark

    def no_session(*args, **kwargs):
        raise AssertionError("Spark was started for a policy that does not compile")

    monkeypatch.setattr(spark, "session", no_session)
    broken = tmp_path / "broken.qz"
    broken.write_text("policy x", encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", "--policy", str(broken), "--batch",
                            str(FIXTURES / "population.csv"), "--out", str(tmp_path / "out.parquet"),
                            "--engine", "spark")
    assert code == 1 and "error[QZ001]" in err and "Traceback" not in err
