"""`qzdsl show` as terminal tables (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qzdsl.model import policy as m
from qzdsl.output import console as safe_console
from qzdsl.wording.amounts import describe_amount
from qzdsl.wording.labels import label


# Below this width the tables would squeeze labels to nothing: the list layout is shown.
_NARROWEST_TABLE = 100


# Headings (`show.*` in the wording layer): an engineer's view, so identifiers stay; the
# words around them are the reader's.
_COLUMNS = ("title", "section", "to", "amount", "groups", "quote")


def _words(lang: str):
    return lambda key: label(f"show.{key}", lang)


def render_policy(policy: m.Policy, console: Console | None = None, lang: str = "zh") -> None:
    console = console or safe_console()
    if console.width < _NARROWEST_TABLE:
        console.out(render_list(policy, lang), end="", highlight=False)
        return
    words = _words(lang)
    info = policy.info
    console.print(Text.assemble((info.doc_number, "bold"), f" {info.title}"))
    console.print(f"{words('in_force')} {info.in_force or '—'}  {words('applies_from')} {info.applies_from}  "
                  f"{words('principle')} {info.principle or '—'}  sha256 {policy.sha256[:12]}")

    facts = Table(title=words("facts"), show_lines=False)
    # Identifiers are what a user types into a case file: never cut or broken, whatever the
    # width; the other columns wrap around them.
    widest = max((len(f.name) for f in policy.facts.values()), default=2)
    facts.add_column("id", no_wrap=True, min_width=widest)
    facts.add_column(words("label"), overflow="fold", min_width=8)
    facts.add_column(words("type"), no_wrap=True)
    facts.add_column(words("kinds"), no_wrap=True)
    for f in policy.facts.values():
        # Enumeration members and kinds are typed into case files too: one a line, whole.
        kind = "\n".join([f.type.value, *(f"  {x.name}" for x in f.members)])
        facts.add_row(f.name, f.label, kind, "\n".join(f.kinds))
    console.print(facts)

    clauses = Table(title=words("clauses_title"))
    clauses.add_column("id", no_wrap=True, min_width=max((len(c.id) for c in policy.clauses), default=2))
    for col in (words(f"col.{name}") for name in _COLUMNS):
        clauses.add_column(col, overflow="fold")
    for c in policy.clauses:
        quote = c.quote if len(c.quote) <= 30 else c.quote[:30] + "…"
        clauses.add_row(c.id, c.title, c.section, c.beneficiary or "", _amount(policy, c, lang),
                        ", ".join(c.groups), quote)
    console.print(clauses)

    for title, rows, spans in _declarations(policy, lang):
        if not rows:
            continue
        table = Table(title=title)
        table.add_column("id", no_wrap=True, min_width=max(len(row[0]) for row in rows))
        table.add_column(label("show.label", lang), overflow="fold")
        if spans:
            table.add_column(label("show.term", lang), overflow="fold")
        table.add_column(label("show.clauses", lang), overflow="fold")
        for name, text, span, members in rows:
            table.add_row(name, text, *((span,) if spans else ()), ", ".join(members))
        console.print(table)


def _amount(policy: m.Policy, clause: m.Clause, lang: str) -> str:
    """The clause's amount as written, its head count and rate facts by their labels."""
    spec = clause.amount
    return describe_amount(spec, lang, policy.label(spec.per_head) if spec.per_head else None,
                           policy.label(spec.fact) if spec.fact else None)


def _declarations(policy: m.Policy, lang: str) -> list[tuple[str, list[tuple[str, str, str, list[str]]], bool]]:
    """The terms, needs and exclusion groups, each with its label and its clauses:
    (title, rows of (name, label, term, clause ids), whether the rows have a term)."""
    terms = []
    for term in policy.terms.values():
        unit = f"eval.amount.periods.{term.unit}" + (".1" if term.amount == 1 else "")
        span = label("show.term_span", lang).format(anchor=policy.label(term.anchor),
                                                     span=label(unit, lang).format(count=term.amount))
        terms.append((term.name, term.label, span, [c.id for c in policy.clauses if c.term == term.name]))
    needs = [(need.name, need.label, "", [c.id for c in policy.clauses if need.name in c.pays_for])
             for need in policy.needs.values()]
    groups = [(name, group.label, "", [c.id for c in policy.clauses if name in c.groups])
              for name, group in sorted(policy.groups.items())]
    return [(label("show.terms", lang), terms, True), (label("show.needs", lang), needs, False),
            (label("show.groups", lang), groups, False)]


def render_list(policy: m.Policy, lang: str = "zh") -> str:
    """The policy as plain lines, nothing cut: for narrow terminals, grep and copying
    identifiers. Each line starts with an identifier, then its label and details."""
    words = _words(lang)
    info = policy.info
    lines = [f"{info.doc_number} {info.title}", f"sha256 {policy.sha256}", "", words("list_kinds")]
    lines += [f"{k.name} — {k.label}" for k in policy.kinds.values()]
    lines += ["", words("list_facts")]
    for f in policy.facts.values():
        lines.append(f"{f.name} — {f.label} ({f.type.value}; {', '.join(f.kinds)})")
        lines += [f"    {x.name} — {x.label}" for x in f.members]
    lines += ["", words("list_clauses")]
    for c in policy.clauses:
        lines.append(f"{c.id} — {c.title} ({c.section}; {c.beneficiary or '—'}; {_amount(policy, c, lang)})")
    for (_, rows, _), key in zip(_declarations(policy, lang), ("show.list_terms", "show.list_needs",
                                                               "show.list_groups")):
        if rows:
            lines += ["", label(key, lang)]
            lines += [f"{name} — {text} ({'; '.join(x for x in (span, ', '.join(members)) if x)})"
                      for name, text, span, members in rows]
    return "\n".join(lines) + "\n"
