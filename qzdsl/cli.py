"""The `qzdsl` command. Commands are thin: they parse options, call the library, and hand
the result to a renderer. Data goes to stdout, diagnostics to stderr; exceptions become
exit codes in `main` alone (0 ok, 1 findings/errors, 2 usage)."""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from qzdsl.diagnostics import PathStyle, QzError, render_all

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="qzdsl — compile, check, evaluate and audit encoded policies (衢政发〔2023〕12号 bundled).",
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(typer.BadParameter):
    """A problem with how the command was called (missing file, bad option).

    A click usage error, so that Typer reports it and exits 2 in every runner, the test
    runner included."""


def _require_file(path: Path) -> Path:
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    return path


def _output_path(path: Optional[Path]) -> Optional[Path]:
    """An output FILE option: checked before any work is done, so that a long run never
    ends in a file that cannot be written."""
    if path is not None and path.is_dir():
        raise UsageError(f"{path} is a directory; give a file")
    if path is not None and not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: no folder {path.parent}")
    return path


def _emit_diagnostics(diagnostics, sources: dict[str, str], lang: str = "en") -> None:
    if diagnostics:
        sys.stderr.write(render_all(diagnostics, sources, lang) + "\n")


def _policy_paths(policy: Optional[list[Path]]) -> list[Path | None]:
    return [_require_file(p) for p in policy] if policy else [None]


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


@app.command()
def check(
    files: Optional[list[Path]] = typer.Argument(None, help="Policy files (default: the bundled policy)."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text (on stderr), or json / "
                                       "sarif on stdout."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of the messages."),
) -> None:
    """Parse and check policy files; print every problem with its location."""
    from qzdsl.language.loader import check as check_policy

    results = []
    for path in _policy_paths(files):
        result = check_policy(path)
        name = result.program.main.path if result.program.files else str(path)
        results.append((name, result.diagnostics))
        if format is CheckFormat.text:
            _emit_diagnostics(result.diagnostics, result.sources, lang.value)
            errors = len(result.errors)
            sys.stderr.write(f"{PathStyle().show(name)}: {errors} error(s), "
                             f"{len(result.diagnostics) - errors} warning(s)\n")
    if format is CheckFormat.json:
        from qzdsl.reports.check.json import render
    elif format is CheckFormat.sarif:
        from qzdsl.reports.check.sarif import render
    if format is not CheckFormat.text:
        sys.stdout.write(render(results, lang.value))
    failed = any(d.is_error for _, found in results for d in found)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command()
def show(
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy file (default: bundled)."),
    format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
) -> None:
    """Show the compiled policy: facts, clauses, citations, groups."""
    from qzdsl.model import export
    from qzdsl.language.loader import load

    compiled = load(_require_file(policy) if policy else None)
    if format is ShowFormat.json:
        sys.stdout.write(json.dumps(export.policy(compiled), ensure_ascii=False, indent=2) + "\n")
        return
    from qzdsl.reports.show.table import render_policy

    render_policy(compiled)


# ---- fmt command (language core) ----


@app.command()
def fmt(
    files: list[Path] = typer.Argument(..., help="Policy files to format."),
    check_only: bool = typer.Option(False, "--check", help="Change nothing; list the files fmt would change."),
    to_stdout: bool = typer.Option(False, "--stdout", help="Print the formatted text instead of rewriting."),
) -> None:
    """Rewrite policy files in the canonical layout (in place, unless --check or --stdout).

    A file with syntax errors is left untouched and its errors are printed. Exit 1 when a
    file has errors or, with --check, when a file would change.
    """
    from qzdsl.diagnostics import error
    from qzdsl.language.formatter import format_text

    if check_only and to_stdout:
        raise UsageError("--check and --stdout cannot be used together")
    failed = False
    for path in [_require_file(p) for p in files]:
        text = ""
        try:
            text = path.read_text(encoding="utf-8")
            formatted = format_text(text, str(path))
        except (OSError, UnicodeDecodeError) as exc:
            _emit_diagnostics([error("QZ010", f"cannot read {path}: {exc}")], {})
            failed = True
            continue
        except QzError as exc:
            _emit_diagnostics(exc.diagnostics, {str(path): text})
            failed = True
            continue
        if to_stdout:
            sys.stdout.write(formatted)
        elif formatted != text and check_only:
            sys.stdout.write(f"{path}\n")
            failed = True
        elif formatted != text:
            path.write_text(formatted, encoding="utf-8")
            sys.stderr.write(f"reformatted {path}\n")
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


# ---- eval and schema commands ----


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


def _policy_set(policy: Optional[list[Path]]) -> tuple[Path | None, tuple[Path, ...]]:
    """The main policy (the first --policy; default: bundled) and the further ones, which
    are loaded as if it imported them."""
    paths = _policy_paths(policy)
    return paths[0], tuple(paths[1:])


def _date_option(text: Optional[str], option: str):
    import datetime as dt

    from qzdsl.cases.case import in_range

    if text is None:
        return None
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":  # fromisoformat also takes 20230101, 2023-W01-1
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} takes a date YYYY-MM-DD, not '{text}'") from None
    if not in_range(date):
        raise UsageError(f"{option} is out of range: {text}")
    return date


@app.command("eval")
def eval_case(
    case: Optional[Path] = typer.Argument(None, metavar="CASE",
                                          help="Case file (YAML or JSON): the applicant's kind and facts."),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE",
                                                help="Policy file (default: bundled)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help="Evaluation date YYYY-MM-DD "
                                        "(default: the case's as_of, else today)."),
    format: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="Report language."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="FILE", help="Write the report to this file."),
    batch: Optional[Path] = typer.Option(None, "--batch", metavar="FILE", help="Evaluate every row of a population "
                                         "file (.csv, .parquet, .jsonl) into --out RESULT.parquet|csv, on DuckDB."),
    errors: Optional[Path] = typer.Option(None, "--errors", callback=_output_path, metavar="FILE", help="With --batch: where the rejected "
                                          "rows go (default: RESULT.errors.csv beside --out)."),
) -> None:
    """Evaluate a case: every clause the applicant can receive, its amount, reasons and trace."""
    from qzdsl.cases.case import load_case
    from qzdsl.backends.evaluator.evaluator import evaluate
    from qzdsl.cache import load

    when = _date_option(as_of, "--as-of")
    if batch is not None:
        _eval_batch(policy, batch, out, errors, when, format, lang)
    if case is None:
        raise UsageError("give a CASE file, or --batch FILE --out RESULT")
    compiled = load(*_policy_set(policy))
    decision = evaluate(compiled, load_case(_require_file(case), compiled), as_of=when)
    if format is EvalFormat.table:
        from rich.console import Console

        from qzdsl.reports.eval.json import record
        from qzdsl.reports.eval.table import render as render_table

        if out is None:
            render_table(record(decision, lang.value), Console())
            return
        with out.open("w", encoding="utf-8") as handle:
            render_table(record(decision, lang.value), Console(file=handle, width=120, color_system=None))
        return
    if format is EvalFormat.json:
        from qzdsl.reports.eval.json import render
    elif format is EvalFormat.md:
        from qzdsl.reports.eval.markdown import render
    else:
        from qzdsl.reports.eval.html import render
    text = render(decision, lang.value)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def schema(
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE",
                                                help="Policy file (default: bundled)."),
) -> None:
    """Print the JSON Schema of case files, generated from the policy's fact declarations."""
    from qzdsl.cases.case import case_schema
    from qzdsl.cache import load

    compiled = load(*_policy_set(policy))
    sys.stdout.write(json.dumps(case_schema(compiled), ensure_ascii=False, indent=2) + "\n")


# ---- audit command ----


class AuditFormat(str, Enum):
    table = "table"
    md = "md"
    html = "html"
    json = "json"
    sarif = "sarif"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    never = "never"


@app.command()
def audit(
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", help="Policy file to audit (default: "
                                                "bundled); repeat to audit several."),
    format: AuditFormat = typer.Option(AuditFormat.table, "--format", "-f"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="Report language."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, help="Write the report to this file."),
    graph: Optional[Path] = typer.Option(None, "--graph", callback=_output_path, help="Write the conflict graph: .dot, .graphml or .json."),
    witness_dir: Optional[Path] = typer.Option(None, "--witness-dir", help="Write each witness case file here."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 when a finding is at least this "
                                   "severe."),
) -> None:
    """Audit overlaps: clauses that can pay one applicant for the same need, each with a
    witness case, and how 从优、从高、不重复 resolves them. Exit 1 gates CI."""
    from qzdsl.backends.audit.audit import audit_file
    from qzdsl.diagnostics import Severity, at_or_above
    from qzdsl.reports.audit import output as audit_output

    paths = _policy_paths(policy)
    if graph is not None and graph.suffix.lower() not in audit_output.GRAPH_FORMATS:
        raise UsageError(f"--graph writes {', '.join(audit_output.GRAPH_FORMATS)} files, not '{graph.name}'")
    if graph is not None and len(paths) > 1:
        raise UsageError("--graph takes one --policy; run the audit once per policy")
    reports = [audit_file(path) for path in paths]
    audit_output.emit(reports, format.value, lang.value, sys.stdout, out)
    if graph is not None:
        audit_output.write_graph(reports[0], graph, lang.value)
    if witness_dir is not None:
        audit_output.write_witnesses(reports, witness_dir)
    for report in reports:
        sys.stderr.write(audit_output.summary(report, lang.value) + "\n")
    findings = [f for report in reports for f in report.findings]
    failing = fail_on is not FailOn.never and at_or_above(findings, Severity(fail_on.value))
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


# ---- test command ----


class PolicyTestFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"


@app.command("test")
def run_policy_tests(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Test files or directories (default: the tests/ directory beside the policy)."),
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy file (default: bundled)."),
    coverage: bool = typer.Option(False, "--coverage", help="Report clause, exclusion-group and condition coverage."),
    min_coverage: Optional[float] = typer.Option(
        None, "--min-coverage", min=0, max=100, metavar="PCT",
        help="Fail when fewer than PCT% of the clauses are both granted and denied by some test."),
    format: PolicyTestFormat = typer.Option(PolicyTestFormat.text, "--format", "-f"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, help="Write the report to this file, not stdout."),
) -> None:
    """Run the policy tests beside a policy: each case's expected verdicts, amounts and reasons."""
    from decimal import Decimal

    from qzdsl.language.loader import load
    from qzdsl.testing.spec import default_test_dir
    from qzdsl.testing.coverage import coverage as measure
    from qzdsl.testing.runner import run_paths

    compiled = load(_require_file(policy) if policy else None)
    targets = paths or [default_test_dir(policy)]
    for target in targets:
        if not target.exists():
            raise UsageError(f"no such file or directory: {target}")
    try:
        run = run_paths(compiled, targets)
    except QzError as exc:
        _emit_diagnostics(exc.diagnostics, _sources_of(exc))
        sys.stderr.write(f"{len(exc.diagnostics)} error(s) in test files: no test was run\n")
        raise typer.Exit(EXIT_USAGE)
    if not run.results:
        raise UsageError("no policy tests in: " + ", ".join(map(str, targets)))
    cov = measure(run) if coverage or min_coverage is not None else None

    if format is PolicyTestFormat.json:
        from qzdsl.reports.testing.json import run_json

        report = json.dumps(run_json(run, cov if coverage else None), ensure_ascii=False, indent=2) + "\n"
    elif format is PolicyTestFormat.junit:
        from qzdsl.reports.testing.junit import render_junit

        report = render_junit(run)
    else:
        from qzdsl.reports.testing.text import render_run

        report = render_run(run, cov if coverage else None)
    if out is not None:
        out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if out is not None or format is not PolicyTestFormat.text:
        if coverage and format is PolicyTestFormat.junit:
            from qzdsl.reports.testing.text import render_coverage

            sys.stderr.write(render_coverage(cov) + "\n")
        sys.stderr.write(f"{run.passed} passed, {run.failed} failed\n")

    failed = not run.ok
    if min_coverage is not None and not cov.meets(Decimal(str(min_coverage))):
        sys.stderr.write(f"clause coverage {cov.clause_percent}% is below --min-coverage {min_coverage:g}%\n")
        failed = True
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


# ---- batch, simulate and compile commands ----


def _eval_batch(policy: Optional[list[Path]], batch: Path, out: Optional[Path], errors: Optional[Path], when,
                format: "EvalFormat", lang: "Lang") -> None:
    """`qzdsl eval --batch FILE --out RESULT`: exit 0 when every row was evaluated, 1 when
    rows were rejected (see the errors file) or the counts do not reconcile."""
    from qzdsl.backends.sql.batch import BatchInputError, run_batch
    from qzdsl.reports.batch.summary import render

    if out is None:
        raise UsageError("--batch needs --out RESULT.parquet (or RESULT.csv)")
    if out.resolve() == batch.resolve() or (errors is not None and errors.resolve() in (out.resolve(), batch.resolve())):
        raise UsageError("--out, --errors and the --batch file must be three different files")
    if format.value not in ("table", "json"):
        raise UsageError("with --batch the summary is printed as table or json")
    try:
        summary = run_batch(_policy_paths(policy), _require_file(batch), out, errors, lang.value,
                            progress=sys.stderr.isatty(), as_of=when)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render(summary, format.value, lang.value))
    clean = summary.reconciled and summary.rows_rejected == 0
    raise typer.Exit(EXIT_OK if clean else EXIT_FINDINGS)


@app.command()
def simulate(
    file: Path = typer.Argument(..., metavar="FILE", help="Population file (.csv, .parquet, .jsonl), one case a row."),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE",
                                                help="Policy file (default: bundled)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help="Evaluation date YYYY-MM-DD for rows "
                                        "without one (default: today)."),
    format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="Report language."),
) -> None:
    """The fiscal exposure of the policy over a population: per clause and per section, the
    applicants granted and the first-year and lifetime amounts."""
    from qzdsl.backends.sql.batch import BatchInputError
    from qzdsl.cache import load
    from qzdsl.reports.batch.simulate import render
    from qzdsl.backends.sql.simulate import simulate as run

    compiled = load(*_policy_set(policy))
    try:
        result = run(compiled, _require_file(file), _date_option(as_of, "--as-of"), lang.value,
                     progress=sys.stderr.isatty())
    except BatchInputError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render(result, format.value, lang.value))


class CompileTarget(str, Enum):
    sql = "sql"


class SqlDialect(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    trino = "trino"


@app.command("compile")
def compile_policy(
    target: CompileTarget = typer.Option(CompileTarget.sql, "--target", help="What to compile the policy to."),
    dialect: SqlDialect = typer.Option(SqlDialect.duckdb, "--dialect", help="SQL dialect of --target sql."),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE",
                                                help="Policy file (default: bundled)."),
    table: str = typer.Option("cases", "--table", metavar="NAME", help="The table of cases the query reads."),
    carry: Optional[list[str]] = typer.Option(None, "--carry", metavar="COLUMN", help="An input column to pass "
                                              "through to the end of the result, e.g. a partition column "
                                              "(repeatable)."),
) -> None:
    """Print the policy as one SQL query: every clause's status and amounts for each row of
    a table of cases (docs/scale.md)."""
    from qzdsl.cache import load
    from qzdsl.backends.sql.query import to_sql

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", table):
        raise UsageError(f"--table takes a table name such as cases or db.schema.cases, not '{table}'")
    sql = to_sql(load(*_policy_set(policy)), dialect.value, table, carry=tuple(carry or ()))
    sys.stdout.write(sql + "\n")


def main() -> None:
    """Entry point: the one place where exceptions become exit codes.

    Typer (standalone mode) turns usage errors into exit 2 and `typer.Exit` into its code;
    qzdsl's own exceptions are turned into exit codes here.
    """
    try:
        app()
    except QzError as exc:
        _emit_diagnostics(exc.diagnostics, _sources_of(exc))
        sys.exit(EXIT_FINDINGS)


def _sources_of(exc: QzError) -> dict[str, str]:
    """Read the files a diagnostic points into, to show their lines."""
    sources = {}
    for d in exc.diagnostics:
        if d.span and d.span.file not in sources:
            try:
                sources[d.span.file] = Path(d.span.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
    return sources
