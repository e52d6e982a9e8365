"""A decision as a self-contained HTML clause-trace report for legal staff.

Rendered with jinja2 from `templates/eval.html.j2` (shipped inside the package) with
autoescape on, so every value taken from the case file is escaped. The page has inline
CSS only: no scripts, fonts, images or links to anything outside itself.
"""

from __future__ import annotations

from pathlib import Path

from qzdsl.reports.eval.json import record as eval_record
from qzdsl.wording.labels import label

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ORDER = ("granted", "excluded", "undetermined", "ineligible", "not_in_force")


def render(decision, lang: str = "zh") -> str:
    return render_record(eval_record(decision, lang))


def render_record(record: dict) -> str:
    import jinja2  # only when HTML is asked for

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    lang = record["lang"]

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    return env.get_template("eval.html.j2").render(
        **record,
        t=t,
        summary=sorted(record["clauses"], key=lambda c: _ORDER.index(c["status"])),
    )
