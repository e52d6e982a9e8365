"""Population-scale evaluation on embedded DuckDB: a file of cases in, a file of results out.

Three steps, all in SQL so that they scale with DuckDB rather than with Python:

1. *read* the file (CSV, Parquet or JSON lines: one row per case, the columns `kind`,
   optionally `row_id` and `as_of`, and one column per fact; a fact without a column is
   unknown for every row);
2. *validate* every row with the rules of `cases.case_from_dict` — a known kind, facts of
   that kind, yes/no values, whole counts not below zero, money not below zero and to the
   fen, ISO calendar dates, enumeration members by name or label — rejecting a row with
   its row number and every reason;
3. *evaluate* the valid rows with `sqlgen.query` and write the results.

Rows in = rows out + rows rejected, and the summary says whether that holds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from qzdsl.model import policy as m
from qzdsl.backends.sql import query as sqlgen
from qzdsl.cases.case import EARLIEST, LATEST, MAX_COUNT, MAX_MONEY
from qzdsl.money import MACHINE_PATTERN, SUB_FEN_PATTERN
from qzdsl.wording.labels import label
from qzdsl.model.policy import Status
from qzdsl.escape import csv_cell_sql
from qzdsl.interrupt import run_cancellable
from qzdsl.output import staged as staged_output

INPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "json", ".ndjson": "json", ".json": "json"}
OUTPUT_FORMATS = {".parquet": "parquet", ".csv": "csv"}
KEY_COLUMNS = ("row_id", "kind", "as_of")

# Spellings of yes and no accepted in text files (compared in lower case).
_YES = ("true", "t", "yes", "y", "1")
_NO = ("false", "f", "no", "n", "0")
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT")


class BatchInputError(ValueError):
    """The input or output file cannot be used at all (as opposed to rows that fail
    validation, which are rejected one by one)."""


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run read, wrote and rejected. `as_of` is the date used for rows that
    give none; `unused_columns` are columns of the file that are no fact of the policy,
    `missing_facts` facts with no column (unknown for every row)."""

    policy: str
    sha256: str
    source: str
    out: str
    errors: str
    as_of: dt.date
    rows_in: int
    rows_out: int
    rows_rejected: int
    unused_columns: tuple[str, ...] = ()
    missing_facts: tuple[str, ...] = ()

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.rows_out + self.rows_rejected


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded threads and memory; `preserve_insertion_order`
    keeps results in the order of the input file."""
    connection = duckdb.connect(config={"preserve_insertion_order": True})
    # Progress is tracked for `run_with_progress`, but DuckDB's own bar is not printed.
    connection.execute("SET enable_progress_bar = true")
    connection.execute("SET enable_progress_bar_print = false")
    connection.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    return connection


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _path_literal(path: Path) -> str:
    return exp.Literal.string(str(path)).sql("duckdb")


# ---- step 1: read ------------------------------------------------------------------------


def _read(connection, policy: m.Policy, source: Path) -> None:
    """Expose the file as the relation `raw_cases` with a 1-based `__row_number`. Text
    formats are read as text so that validation sees what was written; CSV and JSON are
    materialised once, because only a table keeps their order as a row number."""
    fmt = INPUT_FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise BatchInputError(f"cannot read {source}: the batch file must end in "
                              + ", ".join(sorted(INPUT_FORMATS)))
    if not source.is_file():
        raise BatchInputError(f"no such file: {source}")
    path = _path_literal(source)
    try:
        if fmt == "parquet":
            connection.execute(f"CREATE VIEW raw_cases AS SELECT file_row_number + 1 AS __row_number, * "
                               f"EXCLUDE (file_row_number) FROM read_parquet({path}, file_row_number = true)")
            return
        if fmt == "csv":
            scan = f"read_csv({path}, header = true, all_varchar = true)"
        else:
            # Every key the file has becomes a column (so row_id defaults to the row number
            # when absent, and unknown keys are reported), read back as text for validation.
            scan = f"(SELECT COLUMNS(*)::VARCHAR FROM read_json({path}, format = 'newline_delimited'))"
        connection.execute(f"CREATE TEMP TABLE raw_table AS SELECT * FROM {scan}")
        connection.execute("CREATE VIEW raw_cases AS SELECT rowid + 1 AS __row_number, * FROM raw_table")
    except duckdb.Error as exc:
        raise BatchInputError(f"cannot read {source}: {exc}") from None


def _columns(connection, relation: str) -> dict[str, str]:
    return {name: type_ for name, type_, *_ in connection.execute(f"DESCRIBE {relation}").fetchall()}


# ---- step 2: validate --------------------------------------------------------------------


def _text(value: exp.Expression) -> exp.Expression:
    """A value as trimmed text, with the empty text as NULL (unknown)."""
    return exp.Nullif(this=exp.Trim(this=exp.cast(value, "VARCHAR")), expression=exp.Literal.string(""))


def _matches(value: exp.Expression, pattern: str) -> exp.Expression:
    return exp.RegexpFullMatch(this=value, expression=exp.Literal.string(pattern))


def _message(template: str, value: exp.Expression | None = None, **names: str) -> exp.Expression:
    """A reason: the label text with its {placeholders} filled, `{value}` from the row."""
    text = template.format(value="\0", **names)
    before, _, after = text.partition("\0")
    if value is None or not _:
        return exp.Literal.string(text)
    return exp.Concat(expressions=[exp.Literal.string(before), value, exp.Literal.string(after)])


@dataclass(frozen=True)
class _Checked:
    """One input column, typed: its value, and the problems that reject the row."""

    value: exp.Expression
    problems: tuple[tuple[exp.Expression, exp.Expression], ...]


class _Validator:
    """Builds the typed value and the problems of each column from its type in the file.

    A column already of the fact's SQL type — or a text column holding nothing but exact
    member names (`clean`) — is used as it is; only other columns are parsed as text.
    """

    def __init__(self, policy: m.Policy, types: dict[str, str], clean: set[str], lang: str):
        self.policy = policy
        self.types = types
        self.clean = clean
        self.lang = lang
        self.parsed: list[str] = []  # the columns parsed as text

    def reason(self, key: str, value: exp.Expression | None = None, **names: str) -> exp.Expression:
        return _message(label(f"batch.reason.{key}", self.lang), value, **names)

    def kind(self) -> _Checked:
        """The kind's name, from its name or its label (NULL: unknown or missing)."""
        column = sqlgen.col("kind")
        if "kind" in self.clean:
            return _Checked(column, ((exp.Is(this=column.copy(), expression=exp.Null()), self.reason("kind_missing")),))
        self.parsed.append("kind")
        text = _text(column)
        whens = []
        for kind in self.policy.kinds.values():
            names = sorted({kind.name, kind.label})
            whens.append((exp.In(this=text.copy(), expressions=[exp.Literal.string(n) for n in names]),
                          exp.Literal.string(kind.name)))
        value = sqlgen.case_when(whens)
        missing = exp.Is(this=text.copy(), expression=exp.Null())
        return _Checked(value, ((self._invalid(text, value), self.reason("kind", text.copy())),
                                (missing, self.reason("kind_missing"))))

    def as_of(self) -> _Checked:
        if "as_of" not in self.types:
            return _Checked(sqlgen.null("DATE"), ())
        return self._date(sqlgen.col("as_of"), "as_of")

    def fact(self, fact: m.Fact, kind: exp.Expression) -> _Checked:
        column = sqlgen.col(fact.name)
        name = f"{fact.name}（{fact.label}）" if self.lang == "zh" else f"{fact.name} ({fact.label})"
        match fact.type:
            case m.Type.BOOL:
                checked = self._bool(column, name)
            case m.Type.COUNT:
                checked = self._count(column, name)
            case m.Type.MONEY:
                checked = self._money(column, name)
            case m.Type.DATE:
                checked = self._date(column, name)
            case _:
                checked = self._enum(column, fact, name)
        # A fact of another kind of applicant is an error in a case file too (QZ406).
        foreign = exp.and_(exp.Not(this=exp.Is(this=column.copy(), expression=exp.Null())),
                           exp.Not(this=exp.In(this=kind.copy(),
                                               expressions=[exp.Literal.string(k) for k in fact.kinds])))
        kinds = ", ".join(fact.kinds)
        return _Checked(checked.value, checked.problems + ((foreign, self.reason("foreign", name=name, kinds=kinds)),))

    def _invalid(self, raw: exp.Expression, value: exp.Expression) -> exp.Expression:
        """Written (not NULL) yet without a typed value."""
        return exp.and_(exp.Not(this=exp.Is(this=raw.copy(), expression=exp.Null())),
                        exp.Is(this=value.copy(), expression=exp.Null()))

    def _text_of(self, column: exp.Column) -> exp.Expression:
        self.parsed.append(column.name)
        return _text(column)

    def _bool(self, column, name: str) -> _Checked:
        if self.types[column.name] == "BOOLEAN":
            return _Checked(column, ())
        text = exp.Lower(this=self._text_of(column))
        value = sqlgen.case_when([
            (exp.In(this=text, expressions=[exp.Literal.string(x) for x in _YES]), exp.true()),
            (exp.In(this=text.copy(), expressions=[exp.Literal.string(x) for x in _NO]), exp.false()),
        ])
        return _Checked(value, ((self._invalid(text, value), self.reason("bool", _text(column), name=name)),))

    def _count(self, column, name: str) -> _Checked:
        limit = exp.Literal.number(MAX_COUNT)
        if self.types[column.name] in _INTEGER_TYPES:
            negative = exp.LT(this=column.copy(), expression=exp.Literal.number(0))
            large = exp.GT(this=column.copy(), expression=limit)
            shown = exp.cast(column.copy(), "VARCHAR")
            return _Checked(exp.TryCast(this=column, to=exp.DataType.build("BIGINT")),
                            ((negative, self.reason("count_negative", shown, name=name)),
                             (large, self.reason("count_large", shown.copy(), name=name, limit=f"{MAX_COUNT:,}"))))
        text = self._text_of(column)
        value = sqlgen.case_when([(_matches(text, r"\+?[0-9]+"),
                               exp.TryCast(this=text.copy(), to=exp.DataType.build("BIGINT")))])
        negative = _matches(text.copy(), r"-[0-9]+")
        digits = _matches(text.copy(), r"\+?[0-9]+")
        large = exp.and_(digits, exp.or_(exp.GT(this=value.copy(), expression=limit.copy()),
                                         exp.Is(this=value.copy(), expression=exp.Null())))
        invalid = exp.and_(self._invalid(text, value), exp.Not(this=negative.copy()), exp.Not(this=digits.copy()))
        return _Checked(value, ((negative, self.reason("count_negative", text.copy(), name=name)),
                                (large, self.reason("count_large", text.copy(), name=name, limit=f"{MAX_COUNT:,}")),
                                (invalid, self.reason("count", text.copy(), name=name))))

    def _money(self, column, name: str) -> _Checked:
        money = exp.DataType.build(sqlgen.MONEY_TYPE)
        type_ = self.types[column.name]
        if type_ in _INTEGER_TYPES or (type_.startswith("DECIMAL") and _scale(type_) <= 2):
            value = exp.TryCast(this=column, to=money)
            negative = exp.LT(this=column.copy(), expression=exp.Literal.number(0))
            large = exp.GT(this=column.copy(), expression=exp.Literal.number(MAX_MONEY))
            shown = exp.cast(column.copy(), "VARCHAR")
            return _Checked(value, ((negative, self.reason("money_negative", shown, name=name)),
                                    (large, self.reason("money_large", shown.copy(), name=name,
                                                        limit=f"{MAX_MONEY:,}")),
                                    (exp.and_(self._invalid(column, value), exp.Not(this=large.copy())),
                                     self.reason("money", shown.copy(), name=name))))
        text = self._text_of(column)
        value = sqlgen.case_when([(_matches(text, MACHINE_PATTERN), exp.TryCast(this=text.copy(), to=money))])
        negative = _matches(text.copy(), r"-[0-9]+(\.[0-9]+)?")
        fen = _matches(text.copy(), SUB_FEN_PATTERN)
        well_formed = _matches(text.copy(), MACHINE_PATTERN)
        large = exp.and_(well_formed, exp.or_(exp.GT(this=value.copy(), expression=exp.Literal.number(MAX_MONEY)),
                                              exp.Is(this=value.copy(), expression=exp.Null())))
        invalid = exp.and_(self._invalid(text, value), exp.Not(this=negative.copy()), exp.Not(this=fen.copy()),
                           exp.Not(this=well_formed.copy()))
        return _Checked(value, ((negative, self.reason("money_negative", text.copy(), name=name)),
                                (fen, self.reason("money_fen", text.copy(), name=name)),
                                (large, self.reason("money_large", text.copy(), name=name, limit=f"{MAX_MONEY:,}")),
                                (invalid, self.reason("money", text.copy(), name=name))))

    def _date(self, column, name: str) -> _Checked:
        if self.types[column.name] == "DATE":
            value, problems = column, ()
        else:
            text = self._text_of(column)
            value = sqlgen.case_when([(_matches(text, r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                                   exp.TryCast(this=text.copy(), to=exp.DataType.build("DATE")))])
            problems = ((self._invalid(text, value), self.reason("date", text.copy(), name=name)),)
        # The evaluator's calendar (`cases.in_range`): shifts must not run past year 9999.
        outside = exp.or_(exp.LT(this=value.copy(), expression=sqlgen.date_literal(EARLIEST)),
                          exp.GT(this=value.copy(), expression=sqlgen.date_literal(LATEST)))
        shown = exp.cast(value.copy(), "VARCHAR")
        return _Checked(value, problems + ((outside, self.reason("date_range", shown, name=name,
                                                                   earliest=EARLIEST.isoformat(),
                                                                   latest=LATEST.isoformat())),))

    def _enum(self, column, fact: m.Fact, name: str) -> _Checked:
        if column.name in self.clean:
            return _Checked(column, ())
        text = self._text_of(column)
        whens = []
        for member in fact.members:
            spellings = sorted({member.name, member.label})
            whens.append((exp.In(this=text.copy(), expressions=[exp.Literal.string(s) for s in spellings]),
                          exp.Literal.string(member.name)))
        value = sqlgen.case_when(whens)
        members = ", ".join(f"{x.name} ({x.label})" for x in fact.members)
        return _Checked(value, ((self._invalid(text, value), self.reason("enum", text.copy(), name=name,
                                                                             members=members)),))


def _scale(type_: str) -> int:
    """The scale of a DECIMAL(p,s) type name."""
    return int(type_.rstrip(")").split(",")[1]) if "," in type_ else 0


def _clean_columns(connection, policy: m.Policy, types: dict[str, str]) -> set[str]:
    """The text columns (kind, enumerations) holding only exact names or NULL: one scan."""
    names = {"kind": list(policy.kinds)}
    names |= {f.name: [x.name for x in f.members] for f in policy.facts.values()
              if f.type is m.Type.ENUM and f.name in types}
    candidates = [c for c in names if types.get(c) == "VARCHAR"]
    if not candidates:
        return set()
    tests = [exp.func("bool_and", exp.or_(exp.Is(this=sqlgen.col(c), expression=exp.Null()),
                                          exp.In(this=sqlgen.col(c),
                                                 expressions=[exp.Literal.string(n) for n in names[c]])))
             for c in candidates]
    row = connection.execute(exp.select(*tests).from_("raw_cases").sql("duckdb")).fetchone()
    return {c for c, clean in zip(candidates, row) if clean is not False}


def _stage_validation(connection, policy: m.Policy, as_of: dt.date,
                      lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Create `checked_cases` (every row: its number, id, typed values, whether it is valid
    and why not) and `cases` (the valid rows, typed as `sqlgen` expects). Returns the
    file's unused columns and the facts it has no column for."""
    types = _columns(connection, "raw_cases")
    if "kind" not in types:
        raise BatchInputError("the batch file has no 'kind' column: the kind of applicant of each row")
    missing = tuple(f for f in policy.facts if f not in types)
    unused = tuple(c for c in types if c not in (*KEY_COLUMNS, "__row_number", *policy.facts))

    validator = _Validator(policy, types, _clean_columns(connection, policy, types), lang)
    kind = validator.kind()
    as_of_checked = validator.as_of()
    typed = [sqlgen.col("__row_number"),
             exp.alias_(sqlgen.col("row_id") if "row_id" in types else sqlgen.col("__row_number"), "row_id",
                        quoted=True),
             exp.alias_(kind.value, "kind", quoted=True),
             exp.alias_(exp.Coalesce(this=as_of_checked.value, expressions=[sqlgen.date_literal(as_of)]), "as_of",
                        quoted=True)]
    problems = list(kind.problems) + list(as_of_checked.problems)
    for fact in policy.facts.values():
        if fact.name not in types:
            typed.append(exp.alias_(sqlgen.null(sqlgen.COLUMN_TYPES[fact.type]), fact.name, quoted=True))
            continue
        checked = validator.fact(fact, kind.value)
        typed.append(exp.alias_(exp.cast(checked.value, sqlgen.COLUMN_TYPES[fact.type]), fact.name, quoted=True))
        problems += checked.problems

    # A row is valid when no problem holds (a NULL problem does not hold, as in CASE).
    invalid = sqlgen.case_when([(c.copy(), exp.true()) for c, _ in problems], exp.false())
    # DuckDB's own concat_ws skips NULLs (sqlglot's ConcatWs would make any NULL win).
    reasons = exp.Anonymous(this="concat_ws",
                            expressions=[exp.Literal.string("; ")] + [sqlgen.case_when([(c, r)]) for c, r in problems])
    checked_sql = exp.select(*typed, exp.alias_(exp.Not(this=exp.Paren(this=invalid)), "__valid", quoted=True),
                             exp.alias_(reasons, "__reasons", quoted=True)).from_("raw_cases").sql("duckdb")
    if validator.parsed:
        # Parsing text is costly and a view would redo it wherever a value is used: parse once.
        connection.execute(f"CREATE TEMP TABLE checked_cases AS {checked_sql}")
        connection.execute("DROP VIEW raw_cases")
        connection.execute("DROP TABLE IF EXISTS raw_table")
    else:
        connection.execute(f"CREATE VIEW checked_cases AS {checked_sql}")
    columns = ", ".join(_q(c) for c in ("row_id", "kind", "as_of", *policy.facts))
    connection.execute(f"CREATE VIEW cases AS SELECT {columns} FROM checked_cases WHERE __valid")
    return unused, missing


# ---- step 3: evaluate --------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """A batch file read and validated on a connection: `checked_cases` (every row),
    `cases` (the valid rows) and `results` (the policy's query over them)."""

    connection: duckdb.DuckDBPyConnection
    policy: m.Policy
    source: Path
    as_of: dt.date
    unused_columns: tuple[str, ...]
    missing_facts: tuple[str, ...]

    def count(self, relation: str) -> int:
        return self.connection.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]


def stage(connection, policy: m.Policy, source: Path, as_of: dt.date | None = None, lang: str = "zh") -> Staged:
    """Read and validate `source` and define the results view on `connection`.
    Rows without an as_of date are evaluated at `as_of` (default: today), as `qzdsl eval`."""
    when = as_of or dt.date.today()
    _read(connection, policy, Path(source))
    unused, missing = _stage_validation(connection, policy, when, lang)
    _stage_results(connection, policy)
    return Staged(connection, policy, Path(source), when, unused, missing)


def _enum(connection, name: str, values) -> str:
    members = ", ".join(exp.Literal.string(v).sql("duckdb") for v in values)
    connection.execute(f"CREATE TYPE {name} AS ENUM ({members})")
    return name


def _stage_results(connection, policy: m.Policy) -> None:
    """The view `results`: the policy's query, with statuses, clause ids and kinds as
    DuckDB ENUMs — a byte a value instead of a string, which halves the memory the
    ordered Parquet writer buffers and speeds up writing and aggregating."""
    literals = sqlgen.Literals(
        status=_enum(connection, "qz_status", [s.value for s in Status]),
        clause=_enum(connection, "qz_clause", [c.id for c in policy.evaluated_clauses]),
    )
    kind = _enum(connection, "qz_kind", list(policy.kinds))
    query = sqlgen.to_sql(policy, "duckdb", table="cases", pretty=False, literals=literals)
    connection.execute(f"CREATE VIEW policy_results AS {query}")
    names = [n for c in sqlgen.clause_columns(policy) for n in c.names]
    columns = ", ".join([_q("row_id"), f"CAST({_q('kind')} AS {kind}) AS {_q('kind')}", _q("as_of"),
                         *(_q(n) for n in names)])
    connection.execute(f"CREATE VIEW results AS SELECT {columns} FROM policy_results")


def default_errors_path(out: Path) -> Path:
    """`RESULT.errors.csv` beside `RESULT.parquet`."""
    return out.with_name(out.stem + ".errors.csv")


def _copy(relation_sql: str, target: Path, fmt: str) -> str:
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    return f"COPY ({relation_sql}) TO {_path_literal(target)} ({options})"


def evaluate_file(policy: m.Policy, source: Path, out: Path, errors: Path | None = None, as_of: dt.date | None = None,
                  lang: str = "zh", progress: bool = False, threads: int | None = None,
                  memory_limit: str | None = None) -> BatchSummary:
    """Evaluate every row of `source`, write the results to `out` (.parquet or .csv) and
    the rejected rows, with their row numbers and reasons, to `errors` (a CSV; default
    `default_errors_path(out)`)."""
    out = Path(out)
    fmt = OUTPUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise BatchInputError(f"cannot write {out}: the result file must end in " + ", ".join(sorted(OUTPUT_FORMATS)))
    errors = Path(errors) if errors is not None else default_errors_path(out)
    connection = connect(threads, memory_limit)
    try:
        staged = stage(connection, policy, Path(source), as_of, lang)
        rows_in = staged.count("checked_cases")
        description = label("batch.progress", lang).format(rows=f"{rows_in:,}")
        # Both files are written beside their targets and renamed over them only when
        # complete (qzdsl.output): an interrupted or killed run leaves the old files.
        with staged_output(out) as out_temporary, staged_output(errors) as errors_temporary:
            rows_out = run_with_progress(connection, _copy("SELECT * FROM results", out_temporary, fmt),
                                         description, progress)[0][0]
            # The rejected rows are those the results left out; when there are none (the usual
            # case) the errors file is written without validating everything a second time.
            where = "WHERE NOT __valid" if rows_out < rows_in else "WHERE false"
            # The errors file is opened in spreadsheets: a row_id or reason cannot be a formula.
            rejected_sql = (f"SELECT __row_number AS row_number, {csv_cell_sql('CAST(row_id AS VARCHAR)')} AS row_id, "
                            f"{csv_cell_sql('__reasons')} AS reasons FROM checked_cases {where} ORDER BY __row_number")
            rows_rejected = run_with_progress(connection, _copy(rejected_sql, errors_temporary, "csv"), description,
                                              False)[0][0]
    finally:
        connection.close()
    return BatchSummary(policy.info.doc_number, policy.sha256, str(source), str(out), str(errors), staged.as_of,
                        rows_in, rows_out, rows_rejected, staged.unused_columns, staged.missing_facts)


def run_batch(policy_paths: Sequence[Path | None], batch_file: Path, out_file: Path, errors_file: Path | None,
              lang: str = "zh", progress: bool = False, as_of: dt.date | None = None) -> BatchSummary:
    """`qzdsl eval --batch`: load the policy (the first path, None: the bundled one; the
    others as if it imported them) and evaluate the file."""
    from qzdsl.cache import load

    return evaluate_file(load(policy_paths[0], tuple(policy_paths[1:])), batch_file, out_file, errors_file, as_of,
                         lang, progress)


def run_with_progress(connection, sql: str, description: str, enabled: bool) -> list[tuple]:
    """Run one statement in a worker thread, so that Ctrl-C interrupts the query at once
    (`qzdsl.interrupt`); with `enabled`, show DuckDB's own progress of it as a rich bar on
    stderr while this thread polls."""
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
