"""The audit in the terminal (rich): findings grouped by section, then the totals."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.diagnostics import Severity
from qzdsl.wording import audit as words

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(reports: list[AuditReport], lang: str, console: Console) -> None:
    for report in reports:
        _render_one(report, lang, console)


def _render_one(report: AuditReport, lang: str, console: Console) -> None:
    info = report.info
    console.print(Text(f"{info.doc_number} {words.text('title', lang)}", style="bold"))
    console.print(f"{info.title}  {words.text('sha256', lang)} {report.sha256[:12]}")
    if report.imports:
        imported = ("、" if lang == "zh" else ", ").join(i.doc_number for i in report.imports)
        console.print(f"{words.text('imports', lang)}: {imported}")

    for group in words.by_section(report, lang):
        table = Table(title=group.heading, title_justify="left", title_style="bold", expand=True)
        table.add_column(words.text("severity", lang), no_wrap=True)
        table.add_column(words.text("rule", lang), no_wrap=True)
        table.add_column(words.text("location", lang), overflow="fold", max_width=38)
        table.add_column(words.text("message", lang), overflow="fold", ratio=1, min_width=30)
        for finding in group.findings:
            table.add_row(Text(words.severity(finding.severity, lang), style=_STYLE[finding.severity]),
                          finding.code, words.location(finding.spans[0] if finding.spans else None),
                          words.message(finding, lang, report.policy))
        console.print(table)

    counts = words.counts(report.findings)
    totals = "  ".join(f"{words.text(f'count.{s.value}', lang)} {n}" for s, n in counts.items())
    coverage = report.coverage
    console.print(Text(totals, style="bold"))
    console.print("  ".join(f"{words.text(f'coverage.{name}', lang)} {value}"
                            for name, value in vars(coverage).items()))
