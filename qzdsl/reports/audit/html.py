"""The audit as one self-contained HTML page (templates/audit.html.j2): the conflict graph
as an inline SVG picture, findings by section, responsibility matrix, targets. It loads
nothing from the network."""

from __future__ import annotations

from markupsafe import Markup

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.diagnostics import Severity
from qzdsl.wording import audit as words
from qzdsl.reports.audit.svg import svg
from qzdsl.reports.templating import render as render_template


def _picture(report: AuditReport, lang: str) -> Markup:
    flagged = frozenset(c for f in report.findings if f.severity is Severity.ERROR for c in f.clauses)
    # svg() escapes every text it writes, so the picture is safe to insert as markup.
    return Markup(svg(report.nodes, report.edges, lang, flagged))


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    return render_template("audit.html.j2", reports=reports, lang=lang, w=words, svg=lambda r: _picture(r, lang))
