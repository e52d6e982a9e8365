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
import uuid
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

from qzdsl import location
from qzdsl.backends.sql.batch import BatchInputError, csv_header, refuse_repeated
from qzdsl.wording.cli import Worded

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
# What to install is said by the sentences of `wording.cli.MESSAGES["batch.spark_*"]`.


class SparkUnavailable(BatchInputError):
    """PySpark or Java is missing, or the session cannot start: said as what to install."""


class SparkFailed(BatchInputError):
    """Spark could not run a statement (the cluster, memory, a value out of range): its
    first line, not a Java stack trace."""


@contextlib.contextmanager
def _reported(doing: str, **args: object):
    """Spark's and Py4J's exceptions as one SparkFailed saying what failed: the step
    `doing` (`wording.cli.MESSAGES["batch.spark_doing.<doing>"]`, filled with `args`)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        raise SparkFailed("spark_failed", doing=Worded(f"batch.spark_doing.{doing}", args),
                          reason=_first_line(exc)) from None


def parse_conf(pairs: Iterable[str]) -> dict[str, str]:
    """`key=value` settings (the --conf option) as a mapping; a pair without `=` or
    without a key is refused."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BatchInputError("conf_pair", pair=pair)
        conf[key.strip()] = value.strip()
    return conf


def session(master: str | None = None, conf: Mapping[str, str] | None = None, remote: str | None = None):
    """A SparkSession: a Spark Connect client of the server `remote` (`sc://host:port`;
    default: the SPARK_REMOTE environment variable) when one is named, else `master`
    (default `local[*]`) started in a local JVM. Fails with SparkUnavailable, not a
    traceback, when PySpark, Java, the Connect client or the cluster is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("spark_no_pyspark") from None
    remote = remote or os.environ.get("SPARK_REMOTE")
    if remote:
        _connect_client_available()
        _reachable(remote)
    settings = dict(DEFAULT_CONF)
    if not remote:
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise SparkUnavailable("spark_no_java")
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
        with warnings.catch_warnings():
            # PySpark's own notes on the pandas it found, and on settings a Connect
            # server fixes at its start: not the user's to act on.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
            spark = builder.getOrCreate()
    except ImportError as exc:
        raise SparkUnavailable("spark_connect_incomplete", reason=exc) from None
    except Exception as exc:  # py4j and PySpark raise their own types, all of them one failure here
        if remote:
            raise SparkUnavailable("spark_connect_failed", remote=remote, reason=_first_line(exc)) from None
        raise SparkUnavailable("spark_start_failed", master=master, reason=_first_line(exc)) from None
    if not is_connect(spark):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def connect_client_missing() -> list[str]:
    """The packages PySpark's Connect client needs (its `connect` extra: grpcio, pandas,
    pyarrow, …, as the installed PySpark declares them) that are not installed."""
    import importlib.metadata as md
    import re

    missing = []
    for requirement in md.requires("pyspark") or ():
        name, _, marker = requirement.partition(";")
        if re.search(r"""extra\s*==\s*["']connect["']""", marker):
            package = re.split(r"[\s<>=!~\[(]", name.strip(), maxsplit=1)[0]
            try:
                md.distribution(package)
            except md.PackageNotFoundError:
                missing.append(package)
    return missing


def _connect_client_available() -> None:
    """Say what to install before PySpark fails on an import."""
    missing = connect_client_missing()
    if missing:
        if len(missing) == 1:
            raise SparkUnavailable("spark_connect_missing_one", packages=missing[0])
        raise SparkUnavailable("spark_connect_missing", packages=", ".join(missing))


def _reachable(remote: str) -> None:
    """Fail at once when nothing listens at a Spark Connect address (`sc://host:port/…`,
    port 15002 by default): the client would retry for minutes before it said so. Any
    other form (`local[*]`, which PySpark starts itself) is left to PySpark."""
    import socket
    from urllib.parse import urlsplit

    if not remote.startswith("sc://"):
        return
    try:
        parts = urlsplit("http://" + remote[len("sc://"):])
        host, port = parts.hostname or "localhost", parts.port or 15002
    except ValueError:
        raise SparkUnavailable("spark_bad_address", remote=remote) from None
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise SparkUnavailable("spark_unreachable", remote=remote,
                               reason=exc.strerror or exc.__class__.__name__) from None


CONNECT_TIMEOUT = 15  # seconds to wait for a Connect server's port to answer


def _first_line(exc: BaseException) -> str:
    java = getattr(exc, "java_exception", None)  # Py4JJavaError: the Java exception says what failed
    if java is not None:
        try:
            text = str(java.toString()).strip()
        except Exception:  # the JVM is gone
            text = str(exc).strip()
    else:
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
    when this engine started it (`owned`), so that tests share one.

    Files are local paths (given to Spark as `file:` URIs, so that a cluster whose default
    file system is HDFS still reads the local file system there) or URIs of any Hadoop
    file system Spark has (`qzdsl.location`), passed to Spark unchanged."""

    dialect = "spark"
    reads_uris = True
    # Statuses and clause ids stay strings: Spark has no ENUM type.
    status_type = None
    clause_type = None

    def __init__(self, spark=None, master: str | None = None, conf: Mapping[str, str] | None = None,
                 remote: str | None = None):
        self.owned = spark is None
        self.spark = spark if spark is not None else session(master, conf, remote)
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

    # ---- files ----
    def _hadoop(self) -> Hadoop:
        """The Hadoop file systems of this session, through its JVM (not on Spark Connect,
        whose client has none)."""
        if self._connect:
            raise BatchInputError("connect_local_only")
        return Hadoop(self.spark)

    def check_target(self, target: str, inputs: Iterable[Path | str]) -> None:
        """Refuse, before any work, a URI that cannot be written as a result file: a
        folder, or one of the inputs (on Spark Connect: any URI, see `_hadoop`)."""
        hadoop = self._hadoop()
        with _reported("checking", target=target):
            if hadoop.is_folder(target):
                raise BatchInputError("target_is_folder", target=target)
            for source in inputs:
                if hadoop.qualified(target) == hadoop.qualified(_uri(source)):
                    raise BatchInputError("target_is_input", target=target)

    def _check_source(self, source: str) -> None:
        """A URI read as the batch file must be one file (Spark would read a folder of
        part files as one table, in no stated order)."""
        if self._connect:
            return  # the server says so when it reads
        hadoop = Hadoop(self.spark)
        with _reported("reading", source=source):
            if not hadoop.exists(source):
                raise BatchInputError("no_such_file", source=source)
            if hadoop.is_folder(source):
                raise BatchInputError("source_is_folder", source=source)

    # ---- reading ----
    def read(self, source: Path | str, fmt: str) -> dict[str, str]:
        """Expose the file as `raw_cases` with a 1-based `__row_number`; its columns and
        their types. Text is read as text so that validation sees what was written."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import ArrayType, MapType, StructType
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        if isinstance(source, str):
            self._check_source(source)
        path = _uri(source)
        reader = self.spark.read
        try:
            if fmt == "parquet":
                frame = reader.parquet(path)
                nested = [f.name for f in frame.schema.fields if isinstance(f.dataType, (StructType, ArrayType,
                                                                                         MapType))]
                if nested:
                    raise BatchInputError("nested")
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
            raise BatchInputError("cannot_read", source=source, reason=_first_line(exc)) from None

    def _csv(self, source: Path | str):
        """A comma-separated file with a header, every column text. The header is read
        first, as written: Spark would rename a repeated column rather than refuse it.
        Spark reads the file whole (`multiLine`, so a quoted field may hold a line break)
        and refuses a row with more or fewer fields than the header (`FAILFAST`)."""
        from pyspark.sql.types import StringType, StructField, StructType

        header = csv_header(source) if isinstance(source, Path) else self._csv_header(source)
        schema = StructType([StructField(name, StringType()) for name in header])
        return (self._csv_reader().schema(schema).option("header", True).option("enforceSchema", False)
                .csv(_uri(source)))

    def _csv_reader(self):
        return (self.spark.read.option("multiLine", True).option("mode", "FAILFAST").option("quote", '"')
                .option("escape", '"'))

    def _csv_header(self, source: str) -> list[str]:
        """The header of a CSV file on a Hadoop file system, read by Spark: its first
        record, as `batch.csv_header` reads a local one (a byte-order mark dropped, an
        empty or repeated name refused)."""
        # One column per field of the first line, then only that record, as text.
        first = self._csv_reader().option("header", False).csv(source).limit(1).collect()
        if not first:
            raise BatchInputError("empty", source=source)
        header = ["" if value is None else value for value in first[0]]
        if header:
            header[0] = header[0].removeprefix("\ufeff")
        refuse_repeated(header)
        return header

    def bounds(self, source: Path, fmt: str, types: dict[str, str]) -> dict[str, tuple]:
        """No statistics are used: every row is checked (Spark reads row-group statistics
        for its own pruning only)."""
        return {}

    # ---- running ----
    def prepare(self, policy) -> None:
        """Nothing to declare: statuses and clause ids are strings."""

    def fetch_one(self, sql: str, description: str | None = None) -> tuple:
        """The first row of `sql`; with `description`, its progress shown on stderr."""
        with _reported("evaluating"):
            row = self._run(lambda: self.spark.sql(sql).first(), description)
        return tuple(row) if row is not None else ()

    def fetch_all(self, sql: str) -> list[tuple]:
        with _reported("reading_population"):
            return [tuple(row) for row in self.spark.sql(sql).collect()]

    def lookup(self, name: str, rows) -> None:
        """A temporary view of `rows` (text, value, reason: `spellings.COLUMNS`), all text."""
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType()) for c in ("__text", "__value", "__reason")])
        with _reported("preparing"):
            self.spark.createDataFrame(list(rows), schema).createOrReplaceTempView(name)
        self._views.append(name)

    def define(self, name: str, sql: str, materialise: bool = False) -> None:
        with _reported("preparing"):
            frame = self.spark.sql(sql)
        if materialise:
            # Parsing text is costly and every later query reads these rows: parse once.
            from pyspark import StorageLevel

            frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
            self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def write(self, sql: str, target: Path | str, fmt: str, metadata: dict[str, str] | None = None,
              description: str | None = None) -> int:
        """Write the rows of `sql` to the one file `target` (Parquet with `metadata`, or
        CSV); the number of rows written. Spark writes part files in the order of its
        partitions — for a chain of projections over a file, the order of the file — into
        a folder beside `target`: on a cluster, where every node must see it.

        A local `target` is the temporary file the caller renames (`qzdsl.output`). A URI
        is staged here, on its own file system (`_write_uri`)."""
        if isinstance(target, str):
            return self._write_uri(sql, target, fmt, metadata, description)
        parts = Path(tempfile.mkdtemp(prefix=".qzdsl-parts-", dir=Path(target).parent))
        try:
            with _reported("writing", target=target):
                frame = self.spark.sql(sql)
                # The folder exists (it is made here, safely): Spark writes into it.
                self._run(lambda: frame.write.mode("overwrite").parquet(_uri(parts)), description)
            return join_parts(parts, target, fmt, metadata)
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def _write_uri(self, sql: str, target: str, fmt: str, metadata: dict[str, str] | None,
                   description: str | None) -> int:
        """Write the one file `target` on a Hadoop file system, never half of it: Spark
        writes its part files into a hidden folder beside `target`; the driver joins them
        into one file (as for a local target, so the bytes are the same) in its temporary
        folder, copies that to a hidden file beside `target`, and renames it over `target`
        (`Hadoop.replace`). Whatever fails, the hidden folder and file are removed and
        `target` is as it was."""
        hadoop = self._hadoop()
        token = uuid.uuid4().hex
        parts = hadoop.sibling(target, f".qzdsl-parts-{token}")
        staging = hadoop.sibling(target, f".{location.stem(target)}.{token}.tmp")
        local = Path(tempfile.mkdtemp(prefix="qzdsl-"))
        try:
            with _reported("writing", target=target):
                frame = self.spark.sql(sql)
                self._run(lambda: frame.write.mode("errorifexists").parquet(parts), description)
                hadoop.download(parts, local / "parts")
            rows = join_parts(local / "parts", local / f"result.{fmt}", fmt, metadata)
            with _reported("writing", target=target):
                hadoop.upload(local / f"result.{fmt}", staging)
                hadoop.replace(staging, target)
            return rows
        finally:
            shutil.rmtree(local, ignore_errors=True)
            with contextlib.suppress(Exception):
                hadoop.delete(parts)
            with contextlib.suppress(Exception):
                hadoop.delete(staging)

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


def _uri(source: Path | str) -> str:
    """What Spark is given to read or write: a URI as written; a local path as a `file:`
    URI of its absolute path (Hadoop reads the path as written, without percent-escapes)."""
    if isinstance(source, str):
        return source
    return "file://" + str(Path(source).absolute())


class Hadoop:
    """The Hadoop file systems of a classic SparkSession, through its JVM: what qzdsl needs
    to check a URI and to put a finished file in place. Paths are URIs as Spark takes
    them; a scheme is resolved by the session's Hadoop configuration (`fs.<scheme>.impl`,
    `--conf spark.hadoop.…`)."""

    def __init__(self, spark):
        self.jvm = spark.sparkContext._jvm
        self.gateway = spark.sparkContext._gateway
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()

    def path(self, uri: str):
        return self.jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, uri: str):
        return self.path(uri).getFileSystem(self.conf)

    def qualified(self, uri: str) -> str:
        """The URI with the file system's scheme, authority and working folder filled in."""
        return self._fs(uri).makeQualified(self.path(uri)).toString()

    def exists(self, uri: str) -> bool:
        return bool(self._fs(uri).exists(self.path(uri)))

    def is_folder(self, uri: str) -> bool:
        return bool(self._fs(uri).isDirectory(self.path(uri)))

    def sibling(self, uri: str, name: str) -> str:
        """The URI of `name` in the folder of `uri`."""
        path = self.path(uri)
        return self.jvm.org.apache.hadoop.fs.Path(path.getParent(), name).toString()

    def delete(self, uri: str) -> None:
        self._fs(uri).delete(self.path(uri), True)

    def download(self, uri: str, local: Path) -> None:
        """Copy `uri` (a file or a folder) to the new local path `local`."""
        self._fs(uri).copyToLocalFile(False, self.path(uri), self.path(_uri(local)), True)

    def upload(self, local: Path, uri: str) -> None:
        self._fs(uri).copyFromLocalFile(False, True, self.path(_uri(local)), self.path(uri))

    def replace(self, source: str, target: str) -> None:
        """Rename `source` over `target` in one step where the file system can
        (`FileContext.rename` with OVERWRITE: HDFS, viewfs, the local file system); where
        it has no such rename (an object store without a FileContext binding), delete
        `target` and rename. A rename on an object store (s3a, gs) copies one object,
        which appears whole: a reader sees the old file, the new one, or — in the second
        case, for a moment — none, never a part."""
        from py4j.protocol import Py4JJavaError

        hadoop = self.jvm.org.apache.hadoop.fs
        src, dst = self.path(source), self.path(target)
        try:
            context = hadoop.FileContext.getFileContext(dst.toUri(), self.conf)
        except Py4JJavaError as exc:
            if "UnsupportedFileSystemException" not in str(exc.java_exception.getClass().getName()):
                raise
            context = None
        if context is not None:
            options = self.gateway.new_array(hadoop.Options.Rename, 1)
            options[0] = hadoop.Options.Rename.OVERWRITE
            context.rename(src, dst, options)
            return
        fs = self._fs(target)
        if fs.exists(dst):
            fs.delete(dst, False)
        if not fs.rename(src, dst):
            raise BatchInputError("rename_refused", target=target, source=source)


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
