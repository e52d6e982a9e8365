"""Population-scale evaluation: a file of cases in, a file of results out.

Three steps, all in SQL so that they scale with the engine rather than with Python:

1. *read* the file (CSV, Parquet or JSON lines: one row per case, the columns `kind`,
   optionally `row_id` and `as_of`, and one column per fact; a fact without a column is
   unknown for every row) — refusing a file whose shape is wrong (a repeated column, a
   ragged row, a column that looks like a misspelt fact);
2. *validate* every row with the rules of `cases.case_from_dict` — a known kind, facts of
   that kind, yes/no values, whole counts not below zero, money not below zero and to the
   fen, calendar dates, enumeration members by name or label — rejecting a row with its
   row number and every reason (`validation`). Values are read as case files read them:
   SQL reads the plain spellings, and the other distinct texts of a column are read once
   in Python by the case files' reader and joined back (`survey`, `spellings`);
3. *evaluate* the valid rows with `query` and write the results, by default only the
   columns that carry information (`Layout`).

Rows in = rows out + rows rejected, and the summary says whether that holds.

This module decides *what* runs: the SQL texts of a `Plan`, built once per policy, file
shape and engine and then kept in the compiled-policy cache, so that a warm run imports
neither sqlglot nor the validation builder. The engine (`duckdb_engine`, the embedded
default) decides *how*: reading files, running statements, writing results.
"""

from __future__ import annotations

import csv

import datetime as dt
import enum
from decimal import Decimal
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from qzdsl.money import from_json, to_json
from qzdsl.wording.cli import Refusal
from qzdsl.model import policy as m
from qzdsl.backends.sql.columns import INTEGER_TYPES, clause_columns
from qzdsl.cases.values import EARLIEST, LATEST, MAX_COUNT, MAX_MONEY

INPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "json", ".ndjson": "json", ".json": "json"}
OUTPUT_FORMATS = {".parquet": "parquet", ".csv": "csv"}
KEY_COLUMNS = ("row_id", "kind", "as_of")
_PLAN_FORMAT = "4"


class Layout(str, enum.Enum):
    """Which result columns are written (docs/scale.md).

    `narrow`: per clause its status, `excluded_by` only for the clauses 从优 ranks, and
    only the amount columns whose value depends on the row; the amounts that are the same
    on every row a clause grants are written once, in the file's metadata. `wide`: every
    column of `columns.clause_columns` on every row."""

    narrow = "narrow"
    wide = "wide"


class BatchInputError(Refusal):
    """The input or output file cannot be used at all (as opposed to rows that fail
    validation, which are rejected one by one): a sentence `batch.<why>` of the wording
    layer."""

    PREFIX = "batch."


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
    layout: str = Layout.narrow.value
    phases: bool = False  # whether the paid, due and projected columns were written (`--phases`)
    money_kinds: tuple[tuple[str, str, str], ...] = ()  # (clause, its title, kind of money) per amount column set

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.rows_out + self.rows_rejected


class Engine(Protocol):
    """What a batch run needs of a SQL engine. The relation names are fixed: `read`
    exposes the file as `raw_cases` (with a 1-based `__row_number`); `define` creates
    `checked_cases`, `cases` and `results` from the plan's texts."""

    dialect: str
    #: the SQL types the query gives statuses and clause ids (None: text)
    status_type: str | None
    clause_type: str | None

    def read(self, source: Path | str, fmt: str) -> dict[str, str]: ...
    def prepare(self, policy: m.Policy) -> None: ...
    def bounds(self, source: Path, fmt: str, types: dict[str, str]) -> dict[str, tuple]: ...
    def fetch_one(self, sql: str, description: str | None = None) -> tuple: ...
    def fetch_all(self, sql: str) -> list[tuple]: ...
    def lookup(self, name: str, rows: Sequence[tuple[str, str | None, str | None]]) -> None: ...
    def define(self, name: str, sql: str, materialise: bool = False) -> None: ...
    def write(self, sql: str, target: Path | str, fmt: str, metadata: dict[str, str] | None = None,
              description: str | None = None) -> int: ...


def require_uris(engine: Engine | None, *locations: Path | str | None) -> None:
    """Refuse a URI of a remote file system (`qzdsl.location`) unless `engine` reads and
    writes them (`reads_uris`: Spark); `engine` None is the default, DuckDB."""
    from qzdsl import location

    for where in locations:
        if location.is_remote(where) and not getattr(engine, "reads_uris", False):
            raise BatchInputError("uri_on_duckdb", where=where)


# ---- the plan: every SQL text of a run ---------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The SQL of one batch run: `checked` validates `raw_cases` (materialised when it
    `parses` text), `results` is the policy's query over `cases`, `output` the result
    columns written, `constants` the values of the amount columns left out (as text),
    `same_as` the amount columns equal to a written one and `excluded_by` the
    `excluded_by` columns left out, with the one clause each can name."""

    checked: str
    parses: bool
    results: str
    output: tuple[str, ...]
    constants: dict[str, str | None]
    same_as: dict[str, str]
    excluded_by: dict[str, str]


def _remember(key: tuple[str, ...], build) -> dict:
    from qzdsl.cache import remember

    return remember(("batch-plan", _PLAN_FORMAT, *key), build)


@dataclass(frozen=True)
class Surveyed:
    """What a scan of the file found: the text columns holding exact names only
    (`clean`), and those holding spellings SQL does not read, whose lookup tables are
    defined on the engine (`spelled`, in the order of their tables)."""

    clean: tuple[str, ...]
    spelled: tuple[str, ...]


def survey(engine: Engine, policy: m.Policy, types: dict[str, str], lang: str) -> Surveyed:
    """Scan `raw_cases` once for the columns that need no parsing and those that hold
    other spellings than the plain ones; read each of those spellings once, in Python,
    by the reader of case files (`spellings`), and define its column's lookup table."""
    from qzdsl.backends.sql import spellings

    shape = json.dumps(sorted(types.items()), ensure_ascii=False)

    def scan() -> dict:
        from qzdsl.backends.sql import validation

        found = validation.survey(policy, types, engine.dialect)
        return {"clean": list(found.clean), "parsed": list(found.parsed), "sql": found.sql,
                "distinct": found.distinct}

    scanned = _remember((*_policy_key(engine, policy), "survey", shape), scan)
    if not scanned["sql"]:
        return Surveyed((), ())
    flags = engine.fetch_one(scanned["sql"])
    clean_flags, plain_flags = flags[:len(scanned["clean"])], flags[len(scanned["clean"]):]
    clean = tuple(c for c, ok in zip(scanned["clean"], clean_flags) if ok is not False)
    spelled = tuple(c for c, ok in zip(scanned["parsed"], plain_flags) if ok is False and c not in clean)
    for position, column in enumerate(spelled):
        texts = [text for text, in engine.fetch_all(scanned["distinct"][column])]
        engine.lookup(spellings.table_name(position), spellings.lookup_rows(policy, column, sorted(texts), lang))
    return Surveyed(clean, spelled)


def _policy_key(engine: Engine, policy: m.Policy) -> tuple[str, ...]:
    return (policy.sha256, "\0".join(policy.files), engine.dialect, str(engine.status_type), str(engine.clause_type))


def plan(engine: Engine, policy: m.Policy, types: dict[str, str], bounds: dict[str, tuple], as_of: dt.date,
         lang: str, layout: Layout, surveyed: Surveyed = Surveyed((), ()), phases: bool = False) -> Plan:
    """The plan for a file with columns `types` (and, for a typed file, the `bounds` its
    statistics give) as `surveyed`, from the cache when this policy met a file of this
    shape before. With `phases` the results have each paying clause's paid, due and
    projected amounts (`columns.PHASE_PARTS`), computed only then: they cost about as
    much as all the other amounts together."""
    shape = json.dumps(sorted(types.items()), ensure_ascii=False)
    clean, spelled = surveyed.clean, surveyed.spelled

    def build() -> dict:
        from qzdsl.backends.sql import query as sqlgen
        from qzdsl.backends.sql import validation

        checked = validation.checked_select(policy, types, frozenset(clean), proof, as_of, lang, engine.dialect,
                                             spelled)
        literals = sqlgen.Literals(status=engine.status_type, clause=engine.clause_type)
        if layout is Layout.wide:
            output = ["row_id", "kind", "as_of", *(n for c in clause_columns(policy, phases) for n in c.names)]
            constants, same_as, excluded_by = {}, {}, {}
        else:
            narrow = sqlgen.narrow(policy, engine.dialect, phases)
            output, same_as, excluded_by = list(narrow.columns), narrow.same_as, narrow.excluded_by
            names = list(narrow.constants)
            values = engine.fetch_one("SELECT " + ", ".join(narrow.constants.values())) if names else ()
            # Money in the one JSON form (`money.to_json`); a period count as the int it is.
            constants = {n: to_json(v) if isinstance(v, Decimal) else v for n, v in zip(names, values)}
        results = sqlgen.to_sql(policy, engine.dialect, table="cases", pretty=False, literals=literals,
                                phases=phases, only=None if layout is Layout.wide else frozenset(output))
        return {"checked": checked.sql, "parses": checked.parses, "results": results, "output": output,
                "constants": constants, "same_as": same_as, "excluded_by": excluded_by}

    # Validation depends on what the statistics prove, not on the bounds themselves.
    proof = proven(policy, types, bounds)
    entry = _remember((*_policy_key(engine, policy), "plan", shape, ",".join(clean), ",".join(spelled),
                       ",".join(sorted(proof)), as_of.isoformat(), lang, layout.value, str(phases)), build)
    return Plan(entry["checked"], entry["parses"], entry["results"], tuple(entry["output"]), entry["constants"],
                entry["same_as"], entry["excluded_by"])


def proven(policy: m.Policy, types: dict[str, str], bounds: dict[str, tuple]) -> frozenset[str]:
    """The per-row checks that a typed file's own statistics already prove, as
    "column:check" (`negative`, `large`, `range`; `as_of:range` for the dates of
    evaluation): `bounds` gives a column's (min, max) over the whole file, from
    statistics that cover every row group."""
    found = set()
    limits = {m.Type.COUNT: MAX_COUNT, m.Type.MONEY: MAX_MONEY}
    low, high = bounds.get("as_of", (None, None))
    if types.get("as_of") == "DATE" and low is not None and high is not None and low >= EARLIEST and high <= LATEST:
        found.add("as_of:range")
    for fact in policy.facts.values():
        low, high = bounds.get(fact.name, (None, None))
        if low is None or high is None:
            continue
        type_ = types.get(fact.name, "")
        if fact.type in limits and (type_ in INTEGER_TYPES or type_.startswith("DECIMAL")):
            if low >= 0:
                found.add(f"{fact.name}:negative")
            if high <= limits[fact.type]:
                found.add(f"{fact.name}:large")
        elif fact.type is m.Type.DATE and type_ == "DATE" and low >= EARLIEST and high <= LATEST:
            found.add(f"{fact.name}:range")
    return frozenset(found)


# ---- checking the file's shape -----------------------------------------------------------


def csv_header(source: Path) -> list[str]:
    """The column names of a CSV batch file's header row, as written, refused when empty
    or repeated: what every engine checks before it reads the rows its own way."""
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BatchInputError("cannot_read", source=source, reason=exc) from None
    if not header:
        raise BatchInputError("empty", source=source)
    refuse_repeated(header)
    return header


def refuse_repeated(names: Sequence[str]) -> None:
    """Refuse a header that names a column twice, or a column with no name. An engine
    calls this on the names as written, before it renames duplicates its own way."""
    seen: dict[str, int] = {}
    for position, name in enumerate(names, 1):
        if not name.strip():
            raise BatchInputError("column_no_name", position=position)
        if name in seen:
            raise BatchInputError("column_twice", name=name, first=seen[name], second=position)
        seen[name] = position


def check_columns(policy: m.Policy, names: Sequence[str], ignore_unknown: bool) -> tuple[str, ...]:
    """Refuse a file whose columns cannot be meant as written: one that is no fact of the
    policy but close to one (a misspelling would otherwise leave
    that fact unknown on every row, silently). Returns the unused columns."""
    if "kind" not in names:
        raise BatchInputError("no_kind")
    known = (*KEY_COLUMNS, *policy.facts)
    unused = tuple(n for n in names if n not in known)
    if not ignore_unknown:
        import difflib

        for name in unused:
            close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)  # as diagnostics.did_you_mean
            if close:
                raise BatchInputError("not_a_fact", name=name, doc=policy.info.doc_number, close=close[0])
    return unused


# ---- running it --------------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """A batch file read and validated on an engine: `checked_cases` (every row), `cases`
    (the valid rows) and `results` (the policy's query over them, every column)."""

    engine: Engine
    policy: m.Policy
    source: Path | str
    as_of: dt.date
    plan: Plan
    unused_columns: tuple[str, ...]
    missing_facts: tuple[str, ...]

    @property
    def connection(self):
        return self.engine.connection

    def count(self, relation: str) -> int:
        return self.engine.fetch_one(f"SELECT count(*) FROM {relation}")[0]


def stage(engine: Engine, policy: m.Policy, source: Path | str, as_of: dt.date | None = None, lang: str = "zh",
          layout: Layout = Layout.narrow, ignore_unknown: bool = False, phases: bool = False) -> Staged:
    """Read and validate `source` (a local path, or a URI the engine reads: see
    `qzdsl.location`) and define the results on `engine`. Rows without an as_of date are
    evaluated at `as_of` (default: today), as `qzdsl eval`; with `phases` the results
    have the paid, due and projected amounts too."""
    from qzdsl import location

    when = as_of or dt.date.today()
    fmt = INPUT_FORMATS.get(location.suffix(source))
    if fmt is None:
        raise BatchInputError("input_suffix", source=source, suffixes=", ".join(sorted(INPUT_FORMATS)))
    require_uris(engine, source)
    if location.local(source) is not None:
        source = location.local(source)
        if not source.is_file():
            raise BatchInputError("no_such_file", source=source)
    types = engine.read(source, fmt)
    names = [n for n in types if n != "__row_number"]
    unused = check_columns(policy, names, ignore_unknown)
    missing = tuple(f for f in policy.facts if f not in types)
    types = {n: t for n, t in types.items() if n in (*KEY_COLUMNS, *policy.facts)}
    bounds = engine.bounds(source, fmt, types) if fmt == "parquet" else {}
    engine.prepare(policy)
    chosen = plan(engine, policy, types, bounds, when, lang, layout, survey(engine, policy, types, lang), phases)
    engine.define("checked_cases", chosen.checked, materialise=chosen.parses)
    columns = ", ".join(f'"{c}"' for c in ("row_id", "kind", "as_of", *policy.facts))
    engine.define("cases", f"SELECT {columns} FROM checked_cases WHERE __valid")
    engine.define("results", chosen.results)
    return Staged(engine, policy, source, when, chosen, unused, missing)


def default_errors_path(out: Path | str) -> Path | str:
    """`RESULT.errors.csv` beside `RESULT.parquet` (for a URI, the URI of that sibling)."""
    from qzdsl import location

    return location.with_name(out, location.stem(out) + ".errors.csv")


def money_kinds(policy: m.Policy) -> dict[str, str]:
    """The kind of money of each clause with amount columns (`terms.money_kind_of`): a
    reader must not add an own-balance release (`own_balance`) to public money, nor count
    a discretionary or "up to" amount (`discretionary`, `ceiling`: its `__low` is not
    owed) as guaranteed."""
    from qzdsl.wording.terms import money_kind_of

    return {c.id: money_kind_of(c) for c in policy.evaluated_clauses if c.computes_amount}


def _metadata(policy: m.Policy, chosen: Plan, layout: Layout, phases: bool) -> dict[str, str]:
    """What a reader of the results file needs to read it whole: the layout, whether it
    has the paid, due and projected columns, the policy, and the amounts and exclusions
    the narrow layout writes once instead of on every row."""
    return {"qzdsl": json.dumps({"layout": layout.value, "phases": phases, "policy": policy.info.doc_number,
                                 "sha256": policy.sha256,
                                 "constant": chosen.constants, "same_as": chosen.same_as,
                                 "excluded_by": chosen.excluded_by,
                                 "money_kind": money_kinds(policy)},
                                ensure_ascii=False, sort_keys=True)}


def widen(policy: m.Policy, row: dict, metadata: dict) -> dict:
    """A row of a results file in the wide layout, whatever layout it was written in:
    `metadata` is the file's `qzdsl` key-value metadata, parsed. An amount the narrow
    layout wrote once holds on the rows where the clause is granted or excluded, as in
    the wide layout; `excluded_by` is NULL for a clause 从优 does not rank, and for one
    ranked against one other clause only it is that clause where the status is
    `excluded`."""
    if metadata.get("layout") == Layout.wide.value:
        return dict(row)
    constant, same_as = metadata.get("constant", {}), metadata.get("same_as", {})
    excluded_by = metadata.get("excluded_by", {})
    wide = {key: row[key] for key in KEY_COLUMNS}
    for names in clause_columns(policy, bool(metadata.get("phases"))):
        wide[names.status] = row[names.status]
        if names.excluded_by in excluded_by:
            wide[names.excluded_by] = excluded_by[names.excluded_by] if row[names.status] == "excluded" else None
        else:
            wide[names.excluded_by] = row.get(names.excluded_by)
        granted = row[names.status] in ("granted", "excluded")
        for name in names.amounts:
            if name in row:
                value = row[name]
            elif name in same_as:
                value = row[same_as[name]]
            elif not granted or constant.get(name) is None:
                value = None
            else:
                value = int(constant[name]) if name.endswith("__periods") else from_json(constant[name])
            wide[name] = value if granted else None
    return wide


def evaluate_file(policy: m.Policy, source: Path | str, out: Path | str, errors: Path | str | None = None,
                  as_of: dt.date | None = None,
                  lang: str = "zh", progress: bool = False, threads: int | None = None,
                  memory_limit: str | None = None, layout: Layout | None = None,
                  ignore_unknown: bool = False, engine: Engine | None = None, phases: bool = False) -> BatchSummary:
    """Evaluate every row of `source`, write the results to `out` (.parquet or .csv) and
    the rejected rows, with their row numbers and reasons, to `errors` (a CSV; default
    `default_errors_path(out)`). The layout is by default narrow for Parquet, which
    carries the amounts written once in its metadata, and wide for CSV, which cannot.
    With `phases` each paying clause's paid, due and projected amounts are written too.
    `engine` runs it (default: an embedded DuckDB with `threads` and `memory_limit`).
    Each of `source`, `out` and `errors` is a local path or, on an engine that `reads_uris`
    (Spark), a URI of a Hadoop file system (`qzdsl.location`)."""
    from qzdsl import location
    from qzdsl.backends.sql.duckdb_engine import DuckDB
    from qzdsl.escape import csv_cell_sql
    from qzdsl.output import CannotWrite, reason_of
    from qzdsl.wording.labels import label

    out = location.local(out) or out
    fmt = OUTPUT_FORMATS.get(location.suffix(out))
    if fmt is None:
        raise BatchInputError("output_suffix", out=out, suffixes=", ".join(sorted(OUTPUT_FORMATS)))
    errors = (location.local(errors) or errors) if errors is not None else default_errors_path(out)
    require_uris(engine, source, out, errors)
    layout = Layout(layout) if layout is not None else Layout.narrow if fmt == "parquet" else Layout.wide
    if layout is Layout.narrow and fmt != "parquet":
        raise BatchInputError("narrow_csv", out=out)
    # Both files are written beside their targets and renamed over them only when complete
    # (qzdsl.output), and only once the engine is closed — nothing of it writes to them any
    # more (a cancelled DuckDB query may still flush a file while it unwinds): an interrupted
    # or killed run leaves the old files. A URI is staged the same way by the engine that
    # writes it, on its own file system.
    with _staged(out) as out_temporary, _staged(errors) as errors_temporary:
        with engine or DuckDB(threads, memory_limit) as engine:
            for target in (out, errors):
                if isinstance(target, str):  # a URI: checked by the engine that writes it
                    engine.check_target(target, (source,))
            staged = stage(engine, policy, source, as_of, lang, layout, ignore_unknown, phases)
            rows_in = staged.count("checked_cases")
            description = label("batch.progress", lang).format(rows=f"{rows_in:,}") if progress else None
            columns = ", ".join(f'"{c}"' for c in staged.plan.output)
            try:
                rows_out = engine.write(f"SELECT {columns} FROM results", out_temporary, fmt,
                                        _metadata(policy, staged.plan, layout, phases), description)
            except OSError as exc:  # said of the results file, not of the errors file around it
                raise CannotWrite(out, reason_of(exc)) from None
            # The rejected rows are those the results left out; when there are none (the
            # usual case) the errors file is written without validating everything again.
            where = "WHERE NOT __valid" if rows_out < rows_in else "WHERE false"
            # The errors file is opened in spreadsheets: a row_id or reason cannot be a formula.
            # (STRING: the text type of Spark SQL, and an alias of VARCHAR in DuckDB.)
            rejected_sql = (f"SELECT __row_number AS row_number, {csv_cell_sql('CAST(row_id AS STRING)')} AS row_id, "
                            f"{csv_cell_sql('__reasons')} AS reasons FROM checked_cases {where} ORDER BY __row_number")
            rows_rejected = engine.write(rejected_sql, errors_temporary, "csv")
    kinds = tuple((c, policy.clause(c).title, k) for c, k in money_kinds(policy).items())
    return BatchSummary(policy.info.doc_number, policy.sha256, str(source), str(out), str(errors), staged.as_of,
                        rows_in, rows_out, rows_rejected, staged.unused_columns, staged.missing_facts, layout.value,
                        phases, kinds)


def _staged(target: Path | str):
    """`qzdsl.output.staged` for a local file; a URI as it is (the engine stages it)."""
    import contextlib

    from qzdsl.output import staged

    return contextlib.nullcontext(target) if isinstance(target, str) else staged(target)


def run_batch(policy_paths: Sequence[Path | None], batch_file: Path | str, out_file: Path | str,
              errors_file: Path | str | None,
              lang: str = "zh", progress: bool = False, as_of: dt.date | None = None,
              layout: Layout | None = None, ignore_unknown: bool = False,
              engine: Engine | None = None, phases: bool = False) -> BatchSummary:
    """`qzdsl eval --batch`: load the policy (the first path, None: the bundled one; the
    others as if it imported them) and evaluate the file on `engine` (default: DuckDB)."""
    from qzdsl.cache import load

    return evaluate_file(load(policy_paths[0], tuple(policy_paths[1:])), batch_file, out_file, errors_file, as_of,
                         lang, progress, layout=layout, ignore_unknown=ignore_unknown, engine=engine, phases=phases)
