"""A batch file's values as people write them, read by the one reader of case files.

SQL reads the plain spellings of a batch file itself — ``20000.50``, ``2024-06-01``,
``true``, a member's name or label — which is all a machine-written file holds, at the
speed of the engine. Every other spelling (``2万``, ``２００００``, ``两万元``, ``20,000``,
``2024年6月1日``, ``是``, a member's name in other case …) and every value SQL cannot read
is read here instead, once per distinct text of a column, by `qzdsl.cases.values` — the
reader of case files, the interview and the web form — and joined back to the rows as a
lookup table (`validation`, `batch.stage`). So a batch accepts exactly what a case file
accepts and refuses the rest for the same reason, worded as a case file's diagnostic.

No sqlglot here: a warm run of a file of a known shape reads its spellings without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from qzdsl.cases.values import Refused, read_date, read_fact, read_kind
from qzdsl.diagnostics import Text
from qzdsl.escape import terminal
from qzdsl.model import policy as m
from qzdsl.wording.labels import label

# The columns of a lookup table: a text as the engine trimmed it, the value it spells in
# its canonical text form (cast to the column's SQL type by the validating query), and
# the reason it is refused. Both NULL: blank, an unknown fact, as an empty cell.
COLUMNS = ("__text", "__value", "__reason")


def table_name(position: int) -> str:
    """The name of the lookup table of the `position`th spelled column."""
    return f"__spellings_{position}"


def reason(policy: m.Policy, column: str, refusal: Refused, lang: str) -> str:
    """Why the value of `column` (a fact, `kind` or `as_of`) is refused, as a case file's
    diagnostic says it — the fact by label and name, the reason, the hint."""
    fact = policy.facts.get(column)
    if fact is not None:
        message = Text("case.value", (("name", fact.name), ("label", fact.label), ("reason", refusal.text)))
    elif refusal.key == "value.kind.unknown":
        message = refusal.text
    else:
        message = Text("case.key_value", (("name", column), ("reason", refusal.text)))
    text = message.render(lang)
    hint = refusal.hint(lang)
    # Shown on terminals and in spreadsheets: control characters of the text as visible escapes.
    return terminal(label("batch.reason.hinted", lang).format(message=text, hint=hint) if hint else text)


def canonical(value: object) -> str:
    """A value read from a spelling, as the text the SQL cast reads back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read(policy: m.Policy, column: str, text: str):
    """The value `text` spells in `column`; raises `Refused`."""
    if column == "kind":
        return read_kind(policy, text)
    if column == "as_of":
        return read_date(text)
    return read_fact(policy.facts[column], text)


def lookup_rows(policy: m.Policy, column: str, texts: Iterable[str], lang: str) -> list[tuple[str, str | None,
                                                                                             str | None]]:
    """The rows of `column`'s lookup table for the distinct `texts` found in it: each
    text with its value or its reason."""
    rows = []
    for text in texts:
        if not text.strip():
            # Only white space the engine's trim left (a tab, an ideographic space): unknown,
            # as an empty cell.
            rows.append((text, None, None))
            continue
        try:
            rows.append((text, canonical(read(policy, column, text)), None))
        except Refused as refusal:
            rows.append((text, None, reason(policy, column, refusal, lang)))
    return rows
