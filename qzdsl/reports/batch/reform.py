"""`qzdsl simulate POPULATION --reform NEW`: who gains, who loses, who is unchanged and
what it costs, per clause and in total, as JSON, a terminal table, Markdown, or a
printable HTML page whose bars show each clause's cost difference (inline SVG)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from qzdsl import escape
from qzdsl.backends.sql.simulate import PHASES, ClauseChange, ReformSimulation
from qzdsl.money import to_json
from qzdsl.reports.batch.simulate import money_kind
from qzdsl.wording import terms
from qzdsl.wording.amounts import yuan
from qzdsl.wording.labels import label

SCHEMA = "qzdsl.reform.v1"


def _signed(value: Decimal | None, lang: str) -> str:
    if value is None:
        return label("batch.simulate.non_monetary", lang)
    text = yuan(abs(value), lang)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _kind_text(text: str, kind: str, lang: str) -> str:
    """A cost change with its kind: an amount at discretion is a change of what *may* be
    paid (最高), an own balance released no public cost at all."""
    if kind in ("discretionary", "ceiling"):
        return label("reform.up_to", lang).format(amount=text)
    if kind == "own_balance":
        return label("reform.own_balance_change", lang).format(amount=text)
    return text


def record(s: ReformSimulation, lang: str = "zh") -> dict:
    def clause(c: ClauseChange) -> dict:
        kind = money_kind(c.clause)
        return {
            "id": c.clause.id, "title": c.clause.title, "section": c.clause.section, "kind": c.clause.beneficiary,
            "kind_label": c.kind_label, "in_baseline": c.in_baseline, "in_reform": c.in_reform,
            "money_kind": kind, "money_kind_label": terms.money_kind(kind, lang),
            "public_money": c.clause.public_money,
            "gain": c.gain, "lose": c.lose, "unchanged": c.unchanged,
            "granted": {"baseline": c.baseline.granted, "reform": c.reform.granted},
            "first_year": {"baseline": to_json(c.baseline.first_year), "reform": to_json(c.reform.first_year),
                           "difference": to_json(c.first_year_difference),
                           "text": _kind_text(_signed(c.first_year_difference, lang), kind, lang)},
            "lifetime": {"baseline": to_json(c.baseline.lifetime), "reform": to_json(c.reform.lifetime),
                         "difference": to_json(c.lifetime_difference),
                         "text": _kind_text(_signed(c.lifetime_difference, lang), kind, lang)},
            "open_ended_per_year": {"difference": to_json(c.per_year_difference)},
            # The change by where the periods stand on each row's as-of date.
            **{phase: {"baseline": to_json(getattr(c.baseline, phase)), "reform": to_json(getattr(c.reform, phase)),
                       "difference": to_json(c.phase_difference(phase)),
                       "text": _kind_text(_signed(c.phase_difference(phase), lang), kind, lang)}
               for phase in PHASES},
        }

    own = {"first_year_difference": to_json(s.own_balance_first_year_difference),
           "lifetime_difference": to_json(s.own_balance_lifetime_difference),
           "text": label("reform.own_balance_total", lang).format(
               first=_signed(s.own_balance_first_year_difference, lang),
               life=_signed(s.own_balance_lifetime_difference, lang))} if s.own_balance else None

    return {
        "schema": SCHEMA,
        "baseline": {"doc_number": s.baseline, "sha256": s.baseline_sha256},
        "reform": {"doc_number": s.reform, "sha256": s.reform_sha256},
        "source": s.source, "as_of": s.as_of.isoformat(),
        "rows_in": s.rows_in, "rows_evaluated": s.rows_evaluated, "rows_rejected": s.rows_rejected,
        "total": {"gain": s.gain, "lose": s.lose, "unchanged": s.unchanged,
                  "first_year_difference": to_json(s.first_year_difference),
                  "lifetime_difference": to_json(s.lifetime_difference),
                  "open_ended_per_year_difference": to_json(s.per_year_difference),
                  **{f"{phase}_difference": to_json(s.phase_difference(phase)) for phase in PHASES},
                  "text": label("reform.total", lang).format(first=_signed(s.first_year_difference, lang),
                                                             life=_signed(s.lifetime_difference, lang)),
                  "phases_text": label("reform.phases_total", lang).format(
                      **{phase: _signed(s.phase_difference(phase), lang) for phase in PHASES})},
        # Releases of applicants' own balances: never in the public cost above.
        "own_balance": own,
        "clauses": [clause(c) for c in s.clauses],
    }


def _changed(data: dict) -> list[dict]:
    """The clauses the reform changes for someone, or whose cost changes."""
    return [c for c in data["clauses"] if c["gain"] or c["lose"] or c["in_baseline"] != c["in_reform"]
            or any(c[what]["difference"] not in (0, None) for what in ("first_year", "lifetime", *PHASES))]


# How many changed benefits the one-page summary lists.
SUMMARY_ROWS = 10


def _largest(changed: list[dict]) -> list[dict]:
    """The changed benefits the summary lists: the largest lifetime cost change first, then
    the most people affected; a tie keeps declaration order."""
    def size(c: dict) -> tuple:
        return (-abs(Decimal(str(c["lifetime"]["difference"] or 0))), -(c["gain"] + c["lose"]))

    return sorted(changed, key=size)[:SUMMARY_ROWS]


def render(s: ReformSimulation, format: str = "table", lang: str = "zh") -> str:
    data = record(s, lang)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if format == "md":
        return _markdown(data, lang)
    if format == "html":
        from qzdsl.reports.templating import render as template

        changed = _changed(data)
        return template("reform.html.j2", d=data, changed=changed, top=_largest(changed), bars=_bars(changed, lang),
                        lang=lang, t=lambda key, **v: label(key, lang).format(**v))
    return _table(data, lang)


def _columns(lang: str) -> list[str]:
    return [label(k, lang) for k in ("batch.simulate.section", "batch.simulate.clause", "batch.simulate.kind",
                                     "reform.gain", "reform.lose", "reform.unchanged", "reform.first_year",
                                     "reform.lifetime", *(f"reform.{p}" for p in PHASES))]


def _row(c: dict) -> list[str]:
    return [c["section"], c["title"], c["kind_label"] or c["kind"] or "", f"{c['gain']:,}", f"{c['lose']:,}",
            f"{c['unchanged']:,}", c["first_year"]["text"], c["lifetime"]["text"], *(c[p]["text"] for p in PHASES)]


def _head(data: dict, lang: str) -> list[str]:
    t = lambda key, **v: label(key, lang).format(**v)  # noqa: E731
    return [f"{t('reform.title')}: {data['baseline']['doc_number']} → {data['reform']['doc_number']}",
            f"{t('batch.simulate.rows')}: {data['rows_evaluated']:,} / {data['rows_in']:,} "
            f"({t('batch.rows_rejected')}: {data['rows_rejected']:,}); {t('batch.as_of')}: {data['as_of']}",
            t("reform.people", gain=f"{data['total']['gain']:,}", lose=f"{data['total']['lose']:,}",
              unchanged=f"{data['total']['unchanged']:,}"),
            data["total"]["text"], data["total"]["phases_text"]] + (
                [data["own_balance"]["text"]] if data["own_balance"] else [])


def _table(data: dict, lang: str) -> str:
    from rich.table import Table

    from qzdsl.output import console

    buffer = io.StringIO()
    out = console(file=buffer, width=140, color_system=None)
    for line in _head(data, lang):
        out.print(escape.terminal(line))
    grid = Table(title=label("reform.clauses", lang))
    for name in _columns(lang):
        grid.add_column(name, overflow="fold")
    for c in _changed(data):
        grid.add_row(*(escape.terminal(x) for x in _row(c)))
    out.print(grid)
    out.print(label("reform.note", lang))
    return buffer.getvalue()


def _markdown(data: dict, lang: str) -> str:
    head = _head(data, lang)
    lines = [f"# {escape.markdown(head[0])}", ""] + [f"- {escape.markdown(x)}" for x in head[1:]]
    lines += ["", "| " + " | ".join(_columns(lang)) + " |", "|" + " --- |" * len(_columns(lang))]
    lines += ["| " + " | ".join(escape.markdown_cell(x) for x in _row(c)) + " |" for c in _changed(data)]
    lines += ["", escape.markdown(label("reform.note", lang))]
    return "\n".join(lines) + "\n"


def _bars(changed: list[dict], lang: str) -> list[dict]:
    """One horizontal bar per clause: its first-year cost difference, scaled to the largest."""
    values = [Decimal(str(c["first_year"]["difference"] or 0)) for c in changed]
    top = max((abs(v) for v in values), default=Decimal(0)) or Decimal(1)
    return [{"label": f"{c['section']} {c['title']}", "text": c["first_year"]["text"],
             "width": float(abs(v) / top * 300), "negative": v < 0} for c, v in zip(changed, values)]
