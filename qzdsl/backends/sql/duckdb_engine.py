"""The embedded engine of `qzdsl eval --batch` and `qzdsl simulate`: DuckDB in process.

Everything DuckDB-specific of a batch run lives here — the connection and its limits,
reading CSV, Parquet and JSON lines as the relation `raw_cases`, the Parquet statistics,
ENUM types for statuses and clause ids, COPY to Parquet or CSV, the progress bar — so that
another engine (Spark) can run the same `batch.Plan`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from qzdsl.model import policy as m
from qzdsl.model.policy import Status
from qzdsl.backends.sql.batch import BatchInputError, csv_header, refuse_repeated
from qzdsl.backends.sql.columns import INTEGER_TYPES


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded threads and memory; `preserve_insertion_order`
    keeps results in the order of the input file."""
    connection = duckdb.connect(config={"preserve_insertion_order": True})
    # Progress is tracked for `run_with_progress`, but DuckDB's own bar is not printed.
    connection.execute("SET enable_progress_bar = true")
    connection.execute("SET enable_progress_bar_print = false")
    connection.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    if memory_limit:
        connection.execute(f"SET memory_limit = {literal(memory_limit)}")
    return connection


def literal(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A DuckDB quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


class DuckDB:
    """A `batch.Engine` on an in-memory DuckDB connection (closed on leaving `with`)."""

    dialect = "duckdb"
    # A status or clause id is then one byte, not a string, in every buffer between the
    # query and the Parquet writer.
    status_type = "qz_status"
    clause_type = "qz_clause"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        self.connection = connect(threads, memory_limit)
        self._types_for: str | None = None
        self._defined: dict[str, str] = {}  # relation -> its SELECT, not materialised (`define`)

    def __enter__(self) -> DuckDB:
        return self

    def __exit__(self, *exc) -> None:
        # A query cancelled by Ctrl-C may still be unwinding inside DuckDB for a moment after
        # its call returned ("connection is busy"): wait for it rather than fail, and never
        # let closing hide the exception that is leaving the block.
        for attempt in range(100):
            try:
                self.connection.close()
                return
            except duckdb.Error:
                if attempt == 99:
                    if exc[0] is None:
                        raise
                    return
                with contextlib.suppress(duckdb.Error):
                    self.connection.interrupt()
                time.sleep(0.02)

    # ---- reading ----
    def read(self, source: Path, fmt: str) -> dict[str, str]:
        """Expose the file as `raw_cases` with a 1-based `__row_number`; its columns and
        their types. Text formats are read as text so that validation sees what was
        written; CSV and JSON are materialised once, because only a table keeps their
        order as a row number."""
        path = literal(str(source))
        try:
            if fmt == "parquet":
                self._parquet_names(path)
                self._run(
                    f"CREATE VIEW raw_cases AS SELECT file_row_number + 1 AS __row_number, * "
                    f"EXCLUDE (file_row_number) FROM read_parquet({path}, file_row_number = true)")
            else:
                scan = self._csv(source, path) if fmt == "csv" else self._json(path)
                self._run(f"CREATE TEMP TABLE raw_table AS SELECT * FROM {scan}")
                self._run("CREATE VIEW raw_cases AS SELECT rowid + 1 AS __row_number, * FROM raw_table")
        except duckdb.Error as exc:
            raise _read_error(source, exc) from None
        return {name: type_ for name, type_, *_ in self._run("DESCRIBE raw_cases")}

    def _parquet_names(self, path: str) -> None:
        """Refuse a repeated or nested column (DuckDB would rename or nest it silently)."""
        rows = self._run(f"SELECT name, num_children FROM parquet_schema({path})")
        if any(children for _, children in rows[1:]):
            raise BatchInputError("nested")
        refuse_repeated([name for name, _ in rows[1:]])

    def _csv(self, source: Path, path: str) -> str:
        """A strict reading of a comma-separated file with a header: every row must have
        as many fields as the header (a ragged row is an error naming its line)."""
        header = csv_header(source)
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
        return (f"read_csv({path}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                f"strict_mode = true, null_padding = false, columns = {{{columns}}})")

    def _json(self, path: str) -> str:
        """Every key any row has becomes a column (so row_id defaults to the row number
        when absent, and unknown keys are reported), read as JSON and given back as the
        text of its value: a number and a string ("100.50") are both read as written."""
        names = [name for name, *_ in self._run(
            f"DESCRIBE SELECT * FROM read_json({path}, format = 'newline_delimited', sample_size = -1)")]
        columns = ", ".join(f"{literal(name)}: 'JSON'" for name in names)
        values = ", ".join(f"{identifier(name)} ->> '$' AS {identifier(name)}" for name in names)
        return (f"(SELECT {values} FROM read_json({path}, format = 'newline_delimited', "
                f"columns = {{{columns}}}))")

    def bounds(self, source: Path, fmt: str, types: dict[str, str]) -> dict[str, tuple]:
        """Each typed count, money or date column's (min, max) over the file, from the
        Parquet statistics — only where every row group has them."""
        wanted = {n: t for n, t in types.items() if t in INTEGER_TYPES or t.startswith("DECIMAL") or t == "DATE"}
        if fmt != "parquet" or not wanted:
            return {}
        rows = self._run(
            f"SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values "
            f"FROM parquet_metadata({literal(str(source))})")
        found: dict[str, tuple] = {}
        unproven: set[str] = set()
        for name, low, high, nulls, values in rows:
            if name not in wanted or name in unproven:
                continue
            if nulls is not None and nulls == values:
                continue  # a row group with no value in this column
            low, high = _value(low, wanted[name]), _value(high, wanted[name])
            if low is None or high is None:
                unproven.add(name)
                found.pop(name, None)
                continue
            before = found.get(name)
            found[name] = (min(low, before[0]), max(high, before[1])) if before else (low, high)
        return found

    # ---- running ----
    def _run(self, sql: str, parameters: list | None = None) -> list[tuple]:
        """Every statement runs in a worker thread, so that Ctrl-C cancels it at once and
        is always `Interrupted` (DuckDB, called from the main thread, would turn the signal
        into its own "Query interrupted" error)."""
        from qzdsl.interrupt import run_cancellable

        return run_cancellable(lambda: self.connection.execute(sql, parameters).fetchall(), self.connection.interrupt)

    def prepare(self, policy: m.Policy) -> None:
        """The ENUM types the query's statuses and clause ids are cast to."""
        self._enum(self.status_type, [s.value for s in Status])
        self._enum(self.clause_type, [c.id for c in policy.evaluated_clauses])

    def _enum(self, name: str, values: list[str]) -> None:
        members = ", ".join(literal(v) for v in values)
        self._run(f"CREATE TYPE {name} AS ENUM ({members})")

    def fetch_one(self, sql: str, description: str | None = None) -> tuple:
        """The first row of `sql`; with `description`, its progress shown on stderr."""
        if description is None:
            rows = self._run(self.expand(sql))
            return rows[0] if rows else None
        return run_with_progress(self.connection, self.expand(sql), description, True)[0]

    def fetch_all(self, sql: str) -> list[tuple]:
        return run_with_progress(self.connection, self.expand(sql), "", False)

    def lookup(self, name: str, rows) -> None:
        """A table of `rows` (text, value, reason: `spellings.COLUMNS`), all text."""
        columns = list(zip(*rows)) if rows else [(), (), ()]
        selected = ", ".join(f"unnest(?::VARCHAR[]) AS {identifier(c)}" for c in ("__text", "__value", "__reason"))
        self._run(f"CREATE TEMP TABLE {identifier(name)} AS SELECT {selected}", [list(c) for c in columns])

    def define(self, name: str, sql: str, materialise: bool = False) -> None:
        """The relation `name` as `sql`: a temporary table when `materialise`, else kept
        as text and read by the statements of this engine as a common table expression
        (`expand`). A view would be bound once when created and again in each statement
        that reads it, and binding the policy's query takes about as long as planning it."""
        if materialise:
            # Parsing text is costly and a view would redo it wherever a value is used: parse once.
            self._run(f"CREATE TEMP TABLE {name} AS {self.expand(sql)}")
            self._run("DROP VIEW raw_cases")
            self._run("DROP TABLE IF EXISTS raw_table")
        else:
            self._defined[name] = sql

    def expand(self, sql: str) -> str:
        """`sql` (a SELECT, or a statement ending in one) with the relations `define` kept
        as text in front, as common table expressions: DuckDB binds only those it reads."""
        if not self._defined:
            return sql
        ctes = ", ".join(f"{identifier(name)} AS ({body})" for name, body in self._defined.items())
        head, select = _split_select(sql)
        if select[:5].upper() == "WITH ":
            return f"{head}WITH {ctes}, {select[5:]}"
        return f"{head}WITH {ctes} {select}"

    def write(self, sql: str, target: Path, fmt: str, metadata: dict[str, str] | None = None,
              description: str | None = None) -> int:
        """COPY the rows of `sql` to `target` (a temporary file the caller renames); the
        number of rows written. Parquet files carry `metadata` as key-value metadata."""
        statement = f"COPY ({self.expand(sql)}) TO {literal(str(target))} ({copy_options(fmt, metadata)})"
        try:
            return run_with_progress(self.connection, statement, description or "", description is not None)[0][0]
        except duckdb.IOException as exc:
            raise os_error(exc) from None


def _split_select(sql: str) -> tuple[str, str]:
    """(`CREATE TEMP TABLE x AS `, `SELECT …`): a statement split before its query."""
    match = re.match(r"(?is)(CREATE\s+TEMP(?:ORARY)?\s+TABLE\s+\S+\s+AS\s+)(.*)", sql)
    return (match.group(1), match.group(2)) if match else ("", sql)


def os_error(exc: duckdb.Error) -> OSError:
    """DuckDB's failure to write a file as the OSError it reports (a full disk, a
    permission): `qzdsl.output` turns it into `cannot write FILE: reason`."""
    text = str(exc)
    number = re.search(r'"errno"\s*:\s*"?(\d+)', text)
    if number:
        code = int(number.group(1))
        return OSError(code, os.strerror(code))
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return OSError(errno.EIO, first.removeprefix("IO Error: "))


def copy_options(fmt: str, metadata: dict[str, str] | None = None) -> str:
    """The options of a DuckDB COPY that writes a results file: Parquet with `metadata` as
    key-value metadata, or CSV with a header. The target is always a temporary file of
    `qzdsl.output.staged`, renamed into place when complete, so DuckDB's own temporary
    file (`tmp_` + the name, which a SIGKILL would leave behind, unknown to the sweep of
    `staged`) is turned off: `USE_TMP_FILE false`."""
    if fmt != "parquet":
        return "FORMAT csv, HEADER true, USE_TMP_FILE false"
    options = "FORMAT parquet, USE_TMP_FILE false"
    if metadata:
        options += ", KV_METADATA {" + ", ".join(f"{identifier(k)}: {literal(v)}" for k, v in metadata.items()) + "}"
    return options


def _value(text: str | None, type_: str):
    """A Parquet statistic (as DuckDB prints it) as a Python value of the column's type."""
    if text is None:
        return None
    try:
        if type_ == "DATE":
            return dt.date.fromisoformat(text)
        return int(text) if type_ in INTEGER_TYPES else Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def _read_error(source: Path, exc: duckdb.Error) -> BatchInputError:
    """DuckDB's complaint about a file, said as what is wrong with which line."""
    text = str(exc)
    ragged = re.search(r"CSV Error on Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", text, re.S)
    if ragged:
        line, expected, found = ragged.groups()
        return BatchInputError("ragged_row", source=source, line=line, found=found, expected=expected)
    repeated = re.search(r'in line (\d+): Object .* has duplicate key "(.*?)"', text)
    if repeated:
        line, key = repeated.groups()
        return BatchInputError("key_twice", source=source, line=line, key=key)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return BatchInputError("cannot_read", source=source, reason=first)


def run_with_progress(connection, sql: str, description: str, enabled: bool) -> list[tuple]:
    """Run one statement in a worker thread, so that Ctrl-C interrupts the query at once
    (`qzdsl.interrupt`); with `enabled`, show DuckDB's own progress of it as a rich bar on
    stderr while this thread polls."""
    from qzdsl.interrupt import run_cancellable

    def work() -> list[tuple]:
        return connection.execute(sql).fetchall()

    if not enabled:
        return run_cancellable(work, connection.interrupt)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=100)

        def poll() -> None:
            done = connection.query_progress()
            if done >= 0:
                bar.update(task, completed=done)

        rows = run_cancellable(work, connection.interrupt, poll)
        bar.update(task, completed=100)
    return rows
