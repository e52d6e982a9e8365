"""The audit as one self-contained HTML page (templates/audit.html.j2): a clause-by-clause
relation matrix per section, findings by section, responsibility matrix, targets. It
loads nothing from the network and prints on A4."""

from __future__ import annotations

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.diagnostics import Severity
from qzdsl.reports.audit.matrix import legend, matrices
from qzdsl.reports.templating import render as render_template
from qzdsl.wording import audit as words


def _matrices(report: AuditReport, lang: str):
    flagged = frozenset(c for f in report.findings if f.severity is Severity.ERROR for c in f.clauses)
    return matrices(report, lang, flagged)


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    return render_template("audit.html.j2", reports=reports, lang=lang, w=words, legend=legend(lang),
                           matrices=lambda r: _matrices(r, lang),
                           titles=lambda r: {n.id: n.title for n in r.nodes})
