"""The `qzdsl` command. Commands are thin: they parse options, call the library, and hand
the result to a renderer. Data goes to stdout, diagnostics to stderr; exceptions become
exit codes in `main` alone (0 ok, 1 findings/errors, 2 usage)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .diagnostics import QzError, render_all

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="qzdsl — compile, check, evaluate and audit encoded policies (衢政发〔2023〕12号 bundled).",
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called (missing file, bad option): exit 2."""


def _require_file(path: Path) -> Path:
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    return path


def _emit_diagnostics(diagnostics, sources: dict[str, str]) -> None:
    if diagnostics:
        sys.stderr.write(render_all(diagnostics, sources) + "\n")


def _policy_paths(policy: Optional[list[Path]]) -> list[Path | None]:
    return [_require_file(p) for p in policy] if policy else [None]


class ShowFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def check(
    files: Optional[list[Path]] = typer.Argument(None, help="Policy files (default: the bundled policy)."),
) -> None:
    """Parse and check policy files; print every problem with its location."""
    from .loader import check as check_policy

    failed = False
    for path in _policy_paths(files):
        result = check_policy(path)
        _emit_diagnostics(result.diagnostics, result.sources)
        errors = len(result.errors)
        warnings = len(result.diagnostics) - errors
        name = result.program.main.path if result.program.files else str(path)
        sys.stderr.write(f"{name}: {errors} error(s), {warnings} warning(s)\n")
        failed = failed or errors > 0
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command()
def show(
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy file (default: bundled)."),
    format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
) -> None:
    """Show the compiled policy: facts, clauses, citations, groups."""
    from . import export
    from .loader import load

    compiled = load(_require_file(policy) if policy else None)
    if format is ShowFormat.json:
        sys.stdout.write(json.dumps(export.policy(compiled), ensure_ascii=False, indent=2) + "\n")
        return
    from .show_table import render_policy

    render_policy(compiled)


# ---- fmt command (language core) ----

# ---- eval and schema commands ----

# ---- audit command ----

# ---- test command ----

# ---- batch, simulate and compile commands ----


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
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(EXIT_USAGE)


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
