"""The Apache Spark engine of `qzdsl eval --batch` and `qzdsl simulate --engine spark`.

The same `batch.Plan` as on DuckDB — the validating query and the policy's query,
emitted for Spark SQL — runs on a SparkSession: local (`local[*]`) by default, or the
cluster named by `--spark-master`, `--conf key=value` and `SPARK_REMOTE` (Spark Connect).
Only what differs between the engines lives here: starting the session, reading a file
with its row numbers, the column types as the validation names them, and writing.

Spark writes a directory of part files. A local result is the one file `--out` names, as
on DuckDB: the part files, written to a temporary directory, are joined into it by DuckDB
(which only copies rows: nothing is evaluated there), with the same Parquet key-value
metadata and in the order of the input rows.

PySpark is an optional extra (`pip install 'qzdsl[spark]'`) and is imported only here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from qzdsl.backends.sql.batch import BatchInputError, csv_header, refuse_repeated

# Defaults a user's --conf may override: dates read and written in UTC, so that no time
# zone shifts a DATE; and, for a JVM that qzdsl starts, no web UI or console bar (qzdsl
# shows its own progress) and plain log lines (Spark 4 writes JSON by default) as
# spark-log4j2.properties says.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
}
LAUNCH_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.structuredLogging.enabled": "false",
    "spark.driver.extraJavaOptions":
        f"-Dlog4j2.configurationFile={Path(__file__).with_name('spark-log4j2.properties').as_uri()}",
}
# What the compiled SQL relies on, set whatever --conf says: ANSI mode raises on an
# overflow as DuckDB does, instead of giving NULL; the batch runner quotes identifiers in
# double quotes (standard SQL, and DuckDB's), which Spark reads as strings otherwise.
REQUIRED_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}
# A local session talks to itself only: bound to the loopback interface, it needs no
# resolvable host name.
LOCAL_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
INSTALL_HINT = "pip install 'qzdsl[spark]'"
JAVA_HINT = ("Spark runs on Java 17 or later: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
             "or set JAVA_HOME")


class SparkUnavailable(BatchInputError):
    """PySpark or Java is missing, or the session cannot start: said as what to install."""


class SparkFailed(BatchInputError):
    """Spark could not run a statement (the cluster, memory, a value out of range): its
    first line, not a Java stack trace."""


@contextlib.contextmanager
def _reported(what: str):
    """Spark's and Py4J's exceptions as one SparkFailed saying `what` failed."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        raise SparkFailed(f"Spark failed while {what}: {_first_line(exc)}") from None


def parse_conf(pairs: Iterable[str]) -> dict[str, str]:
    """`key=value` settings (the --conf option) as a mapping; a pair without `=` or
    without a key is refused."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BatchInputError(f"--conf takes key=value (a Spark setting such as spark.driver.memory=4g), "
                                  f"not '{pair}'")
        conf[key.strip()] = value.strip()
    return conf


def session(master: str | None = None, conf: Mapping[str, str] | None = None):
    """A SparkSession: Spark Connect when SPARK_REMOTE is set, else `master` (default
    `local[*]`) started in a local JVM. Fails with SparkUnavailable, not a traceback,
    when PySpark, Java or the cluster is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(f"--engine spark needs PySpark, which is not installed: {INSTALL_HINT}") from None
    remote = os.environ.get("SPARK_REMOTE")
    settings = dict(DEFAULT_CONF)
    if not remote:
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise SparkUnavailable(f"--engine spark cannot start: Java is not installed. {JAVA_HINT}")
        master = master or "local[*]"
        settings |= LAUNCH_CONF
        if master.startswith("local"):
            settings |= LOCAL_CONF
            # Read by the JVM before any setting: without it Spark warns that the host
            # name resolves to a loopback address.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    settings |= dict(conf or {})
    settings |= REQUIRED_CONF
    builder = SparkSession.builder.appName("qzdsl")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except ImportError as exc:
        # Spark Connect needs grpc, pandas and pyarrow besides PySpark.
        raise SparkUnavailable(f"SPARK_REMOTE is set, but the Spark Connect client is incomplete ({exc}): "
                               f"pip install 'pyspark[connect]'") from None
    except Exception as exc:  # py4j and PySpark raise their own types, all of them one failure here
        where = f"the Spark Connect server {remote}" if remote else f"Spark (master {master})"
        raise SparkUnavailable(f"cannot start {where}: {_first_line(exc)}. {'' if remote else JAVA_HINT}".strip()
                               ) from None
    if not is_connect(spark):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_connect(spark) -> bool:
    """Whether `spark` is a Spark Connect session (no SparkContext on the client)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def sql_type(data_type) -> str:
    """A Spark column type by the name the validation gives it (DuckDB's names: what a
    column of a typed file may be used as without parsing)."""
    name = data_type.simpleString()
    if name.startswith("decimal"):
        return name.upper().replace(" ", "")
    return _TYPE_NAMES.get(name, name.upper())


_TYPE_NAMES = {"string": "VARCHAR", "boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT",
               "int": "INTEGER", "bigint": "BIGINT", "date": "DATE", "double": "DOUBLE", "float": "FLOAT"}


class Spark:
    """A `batch.Engine` on a SparkSession. The session is stopped on leaving `with` only
    when this engine started it (`owned`), so that tests share one."""

    dialect = "spark"
    # Statuses and clause ids stay strings: Spark has no ENUM type.
    status_type = None
    clause_type = None

    def __init__(self, spark=None, master: str | None = None, conf: Mapping[str, str] | None = None):
        self.owned = spark is None
        self.spark = spark if spark is not None else session(master, conf)
        self._cached: list = []
        self._views: list[str] = []  # the lookup tables
        self._connect = is_connect(self.spark)

    def __enter__(self) -> Spark:
        return self

    def __exit__(self, *exc) -> None:
        for frame in self._cached:
            frame.unpersist()
        for name in ("raw_cases", "checked_cases", "cases", "results", *self._views):
            self.spark.catalog.dropTempView(name)
        if self.owned:
            self.spark.stop()

    # ---- reading ----
    def read(self, source: Path, fmt: str) -> dict[str, str]:
        """Expose the file as `raw_cases` with a 1-based `__row_number`; its columns and
        their types. Text is read as text so that validation sees what was written."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import ArrayType, MapType, StructType
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        path = str(source)
        reader = self.spark.read
        try:
            if fmt == "parquet":
                frame = reader.parquet(path)
                nested = [f.name for f in frame.schema.fields if isinstance(f.dataType, (StructType, ArrayType,
                                                                                         MapType))]
                if nested:
                    raise BatchInputError("the batch file has nested columns; give one column per fact")
                refuse_repeated(frame.columns)
                # The row's position in the file (0-based), as DuckDB's file_row_number.
                numbered = frame.select((F.col("_metadata.row_index") + 1).alias("__row_number"), "*")
            else:
                if fmt == "csv":
                    frame = self._csv(source)
                else:
                    frame = (reader.option("primitivesAsString", True).option("mode", "FAILFAST")
                             .option("dropFieldIfAllNull", False).json(path))
                    refuse_repeated(frame.columns)
                    frame = frame.select(*(F.col(f"`{n}`").cast("string").alias(n) for n in frame.columns))
                # One partition keeps the file's order, so the ids run 0, 1, 2, … (a
                # monotonically increasing id starts each partition at a new range).
                numbered = frame.coalesce(1).select((F.monotonically_increasing_id() + 1).alias("__row_number"), "*")
            numbered.createOrReplaceTempView("raw_cases")
            return {field.name: sql_type(field.dataType) for field in numbered.schema.fields}
        except BatchInputError:
            raise
        except (PySparkException, Py4JError) as exc:
            raise BatchInputError(f"cannot read {source}: {_first_line(exc)}") from None

    def _csv(self, source: Path):
        """A comma-separated file with a header, every column text. The header is read
        here: Spark would rename a repeated column rather than refuse it. Spark reads the
        file whole (`multiLine`, so a quoted field may hold a line break) and refuses a
        row with more or fewer fields than the header (`FAILFAST`)."""
        from pyspark.sql.types import StringType, StructField, StructType

        header = csv_header(source)
        schema = StructType([StructField(name, StringType()) for name in header])
        return (self.spark.read.schema(schema).option("header", True).option("multiLine", True)
                .option("mode", "FAILFAST").option("quote", '"').option("escape", '"')
                .option("enforceSchema", False).csv(str(source)))

    def bounds(self, source: Path, fmt: str, types: dict[str, str]) -> dict[str, tuple]:
        """No statistics are used: every row is checked (Spark reads row-group statistics
        for its own pruning only)."""
        return {}

    # ---- running ----
    def prepare(self, policy) -> None:
        """Nothing to declare: statuses and clause ids are strings."""

    def fetch_one(self, sql: str, description: str | None = None) -> tuple:
        """The first row of `sql`; with `description`, its progress shown on stderr."""
        with _reported("evaluating the population"):
            row = self._run(lambda: self.spark.sql(sql).first(), description)
        return tuple(row) if row is not None else ()

    def fetch_all(self, sql: str) -> list[tuple]:
        with _reported("reading the population"):
            return [tuple(row) for row in self.spark.sql(sql).collect()]

    def lookup(self, name: str, rows) -> None:
        """A temporary view of `rows` (text, value, reason: `spellings.COLUMNS`), all text."""
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType()) for c in ("__text", "__value", "__reason")])
        with _reported("preparing the query"):
            self.spark.createDataFrame(list(rows), schema).createOrReplaceTempView(name)
        self._views.append(name)

    def define(self, name: str, sql: str, materialise: bool = False) -> None:
        with _reported("preparing the query"):
            frame = self.spark.sql(sql)
        if materialise:
            # Parsing text is costly and every later query reads these rows: parse once.
            from pyspark import StorageLevel

            frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
            self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def write(self, sql: str, target: Path, fmt: str, metadata: dict[str, str] | None = None,
              description: str | None = None) -> int:
        """Write the rows of `sql` to the one file `target` (Parquet with `metadata`, or
        CSV); the number of rows written. Spark writes part files in the order of its
        partitions — for a chain of projections over a file, the order of the file — into
        a folder beside `target`: on a cluster, where every node must see it."""
        parts = Path(tempfile.mkdtemp(prefix=".qzdsl-parts-", dir=Path(target).parent))
        try:
            with _reported(f"writing {target}"):
                frame = self.spark.sql(sql)
                # The folder exists (it is made here, safely): Spark writes into it.
                self._run(lambda: frame.write.mode("overwrite").parquet(str(parts)), description)
            return join_parts(parts, target, fmt, metadata)
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def _run(self, action, description: str | None):
        """Run a Spark action and give its value; with `description`, show the progress
        of its tasks on stderr (not on Spark Connect, whose client sees no tasks)."""
        if description is None or self._connect:
            return action()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        outcome: dict[str, object] = {}

        def work() -> None:
            try:
                outcome["value"] = action()
            except BaseException as exc:  # re-raised in the calling thread
                outcome["error"] = exc

        tracker = self.spark.sparkContext.statusTracker()
        worker = threading.Thread(target=work, daemon=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(description, total=None)
            worker.start()
            while worker.is_alive():
                worker.join(0.2)
                stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
                stages = [s for s in stages if s is not None]
                if stages:
                    bar.update(task, total=sum(s.numTasks for s in stages),
                               completed=sum(s.numCompletedTasks for s in stages))
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


def join_parts(parts: Path, target: Path, fmt: str, metadata: dict[str, str] | None = None) -> int:
    """Copy the Parquet part files in `parts` (in the order of their names, which is
    Spark's partition order) into the one file `target`; the number of rows."""
    import duckdb

    from qzdsl.backends.sql.duckdb_engine import copy_options, literal, os_error

    files = sorted(parts.glob("part-*.parquet"))
    connection = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        options = copy_options(fmt, metadata)
        scan = f"read_parquet([{', '.join(literal(str(f)) for f in files)}])"
        return connection.execute(f"COPY (SELECT * FROM {scan}) TO {literal(str(target))} ({options})").fetchone()[0]
    except duckdb.IOException as exc:
        raise os_error(exc) from None
    finally:
        connection.close()
