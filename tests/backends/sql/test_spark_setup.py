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
