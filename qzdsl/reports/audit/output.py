"""Where `qzdsl audit` sends its results: the report in the chosen format (stdout or a
file), the graph file, the witness case files, and a one-line summary for stderr."""

from __future__ import annotations

from pathlib import Path
from qzdsl.backends.audit.audit import AuditReport
from qzdsl.diagnostics import PathStyle
from qzdsl.wording import audit as words
from qzdsl.reports.audit.graph import GRAPH_FORMATS, write_graph

FORMATS = ("table", "md", "html", "json", "sarif")

__all__ = ["FORMATS", "GRAPH_FORMATS", "emit", "summary", "write_graph", "write_witnesses"]


def emit(reports: list[AuditReport], fmt: str, lang: str, out: Path | None = None) -> None:
    """Render the reports in `fmt` to `out` (replaced atomically), or to stdout (the table
    in colour when it is a terminal; a file gets plain text)."""
    from qzdsl.output import console, stdout_bytes, text_file, write_text

    if fmt == "table":
        from qzdsl.reports.audit.table import render as render_table

        if out is None:
            render_table(reports, lang, console())
            return
        with text_file(out) as handle:
            render_table(reports, lang, console(file=handle, width=120, color_system=None))
        return
    if fmt == "md":
        from qzdsl.reports.audit.markdown import render
    elif fmt == "html":
        from qzdsl.reports.audit.html import render
    elif fmt == "json":
        from qzdsl.reports.audit.json import render
    else:
        from qzdsl.reports.audit.sarif import render
    text = render(reports, lang)
    if out is None:
        stdout_bytes(text)
    else:
        write_text(out, text)


def write_witnesses(reports: list[AuditReport], directory: Path) -> int:
    """Write every witness as `<name>.yaml` (one sub-directory per policy when there are
    several); returns how many were written."""
    from qzdsl.output import CannotWrite, reason_of, write_text

    written = 0
    for index, report in enumerate(reports, start=1):
        target = directory if len(reports) == 1 else directory / f"{index}"
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CannotWrite(target, reason_of(exc)) from None
        for witness in report.witnesses:
            write_text(target / witness.filename, witness.yaml())
            written += 1
    return written


def summary(report: AuditReport, lang: str) -> str:
    counts = words.counts(report.findings)
    totals = ", ".join(f"{n} {words.text(f'count.{s.value}', lang)}" for s, n in counts.items())
    return f"{PathStyle().show(report.info.path)}: {totals}"
