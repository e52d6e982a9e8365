"""A decision as a self-contained HTML clause-trace report for legal staff.

Rendered with jinja2 from `templates/eval.html.j2` (shipped inside the package) with
autoescape on, so every value taken from the case file is escaped. The page has inline
CSS only: no scripts, fonts, images or links to anything outside itself.
"""

from __future__ import annotations

from qzdsl.reports.eval.json import record as eval_record
from qzdsl.reports.templating import render as render_template
from qzdsl.wording import terms
from qzdsl.wording.labels import label


def render(decision, lang: str = "zh") -> str:
    return render_record(eval_record(decision, lang))


def render_record(record: dict) -> str:
    lang = record["lang"]

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    return render_template("eval.html.j2", **record, t=t, groups=terms.STATUS_ORDER,
                           summary=sorted(record["clauses"], key=lambda c: terms.status_rank(c["status"])))
