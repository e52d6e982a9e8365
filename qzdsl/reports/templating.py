"""The one Jinja environment every report template renders in.

Templates ship inside the package (`reports/templates/`). HTML templates (`*.html.j2`)
autoescape every value; Markdown templates escape through their own filters. Undefined
names are errors, so a template cannot silently print nothing where a field is missing.
jinja2 is imported here only, and only when a template is rendered.
"""

from __future__ import annotations

from functools import cache

from qzdsl import escape


@cache
def environment():
    import jinja2

    from qzdsl.wording import terms

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qzdsl.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["terms"] = terms
    # Markdown's escapers (qzdsl.escape): `md` for running text, `cell` for a table cell.
    env.filters["cell"] = lambda value: escape.markdown(str(value))
    env.filters["md"] = lambda value: escape.markdown(str(value))
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
