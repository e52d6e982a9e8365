"""The audit as one self-contained HTML page (templates/audit.html.j2): the conflict graph
as an inline SVG picture, findings by section, responsibility matrix, targets. It loads
nothing from the network."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.diagnostics import Severity
from qzdsl.wording import audit as words
from qzdsl.reports.audit.svg import svg


def _picture(report: AuditReport, lang: str) -> Markup:
    flagged = frozenset(c for f in report.findings if f.severity is Severity.ERROR for c in f.clauses)
    # svg() escapes every text it writes, so the picture is safe to insert as markup.
    return Markup(svg(report.nodes, report.edges, lang, flagged))


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("qzdsl.reports", "templates"),
                             autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    template = env.get_template("audit.html.j2")
    return template.render(reports=reports, lang=lang, w=words, svg=lambda r: _picture(r, lang))
