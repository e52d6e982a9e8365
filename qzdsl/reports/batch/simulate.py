"""The fiscal exposure of a policy over a population (`qzdsl simulate`): per clause and
per section, applicants granted and amounts. As JSON-ready data, as JSON, or as tables."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from rich.table import Table

from qzdsl.backends.sql.simulate import PHASES, ClauseExposure, Exposure, Simulation
from qzdsl import escape
from qzdsl.model import policy as m
from qzdsl.money import to_json
from qzdsl.wording import terms
from qzdsl.wording.labels import label
from qzdsl.output import console as safe_console


def _exposure(exposure: Exposure) -> dict:
    """`first_year` and `lifetime` are the most that can be paid; the `_guaranteed` ones
    what is owed whatever an official decides; `up_to` says that they differ."""
    data = {"granted": exposure.granted, "first_year": to_json(exposure.first_year),
            "lifetime": to_json(exposure.lifetime),
            "first_year_guaranteed": to_json(exposure.first_year_guaranteed),
            "lifetime_guaranteed": to_json(exposure.lifetime_guaranteed), "up_to": exposure.up_to,
            "open_ended": exposure.open_ended, "open_ended_per_year": to_json(exposure.open_ended_per_year)}
    # The same money by where its periods stand on each row's as-of date (docs/scale.md).
    for phase in PHASES:
        data[phase] = to_json(getattr(exposure, phase))
        data[f"{phase}_guaranteed"] = to_json(getattr(exposure, f"{phase}_guaranteed"))
    if exposure.excluded is not None:
        data |= {"excluded": exposure.excluded, "undetermined": exposure.undetermined}
    return data


def money_kind(clause: m.Clause) -> str:
    """The kind of money a clause's figures are (`terms.money_kind_of`)."""
    return terms.money_kind_of(clause)


def _clause(c: ClauseExposure, lang: str) -> dict:
    kind = money_kind(c.clause)
    return {"id": c.clause.id, "title": c.clause.title, "section": c.clause.section, "kind": c.clause.beneficiary,
            "kind_label": c.kind_label, "money_kind": kind, "money_kind_label": terms.money_kind(kind, lang),
            "public_money": c.clause.public_money, **_exposure(c.exposure)}


def record(simulation: Simulation, lang: str = "zh") -> dict:
    return {
        "policy": {"doc_number": simulation.policy, "sha256": simulation.sha256},
        "source": simulation.source,
        "as_of": simulation.as_of.isoformat(),
        "rows_in": simulation.rows_in,
        "rows_evaluated": simulation.rows_evaluated,
        "rows_rejected": simulation.rows_rejected,
        # New public money only: an own-balance release is never in it (see `own_balance`).
        "total": _exposure(simulation.total),
        "own_balance": _exposure(simulation.own_balance) if simulation.own_balance else None,
        "sections": [{"ref": s.ref, "title": s.title, **_exposure(s.exposure)} for s in simulation.sections],
        "clauses": [_clause(c, lang) for c in simulation.clauses],
    }


def _shown(amount: Decimal | None, lang: str) -> str:
    return label("batch.simulate.non_monetary", lang) if amount is None else f"{amount:,.2f}"


def _most(amount: Decimal | None, guaranteed: Decimal | None, lang: str, floor: bool = False) -> str:
    """An amount with its kind: owed in full (plain), "up to" the most where less is owed
    (最高…, with what is owed when some is), or at least a floor (不低于…)."""
    if amount is None:
        return _shown(amount, lang)
    if floor:
        return label("batch.simulate.at_least", lang).format(amount=_shown(amount, lang))
    if guaranteed is None or guaranteed == amount:
        return _shown(amount, lang)
    if not guaranteed:
        return label("batch.simulate.up_to", lang).format(amount=_shown(amount, lang))
    return label("batch.simulate.owed_up_to", lang).format(owed=_shown(guaranteed, lang), amount=_shown(amount, lang))


def _first_year(e: Exposure, lang: str, floor: bool = False) -> str:
    return _most(e.first_year, e.first_year_guaranteed, lang, floor)


def _lifetime(e: Exposure, lang: str, floor: bool = False) -> str:
    """The lifetime cost as a person should read it: open-ended grants have none, so they
    are shown by what they pay a year, never as a lifetime of 0; "up to" where less is owed."""
    shown = _most(e.lifetime, e.lifetime_guaranteed, lang, floor)
    if e.lifetime is None or not e.open_ended:
        return shown
    yearly = _shown(e.open_ended_per_year, lang)
    if e.up_to:
        yearly = label("batch.simulate.up_to", lang).format(amount=yearly)
    per_year = label("batch.simulate.open_ended_per_year", lang).format(amount=yearly)
    if e.open_ended == e.granted and not e.lifetime:
        return per_year
    return f"{shown} + {per_year}"


def _phase(e: Exposure, phase: str, lang: str, floor: bool = False) -> str:
    """Paid, due or projected as `_most` shows an amount; nothing as plain 0.00 (never
    "up to 0.00")."""
    amount = getattr(e, phase)
    if not amount:
        return _shown(amount, lang)
    return _most(amount, getattr(e, f"{phase}_guaranteed"), lang, floor)


def _floor(clause: m.Clause) -> bool:
    return clause.amount.kind is m.AmountKind.AT_LEAST


_CSV_COLUMNS = ("level", "section", "clause", "title", "kind", "kind_label", "money_kind", "granted", "excluded",
                "undetermined", "first_year", "lifetime", "first_year_guaranteed", "lifetime_guaranteed", "up_to",
                "open_ended", "open_ended_per_year", *PHASES, *(f"{phase}_guaranteed" for phase in PHASES))


def _csv_cell(value) -> str:
    """A CSV cell: money as plain decimals, text through the one CSV escaper."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return escape.csv_cell(str(value))


def _csv(simulation: Simulation) -> str:
    """One row per clause, per section, for the total of new public money and (level
    `own_balance`, never in the total) for the applicants' own balances released, with
    the JSON's keys as headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)

    def row(level: str, section: str, clause: str, title: str, kind: str, kind_label: str, money: str,
            e: Exposure) -> None:
        writer.writerow([_csv_cell(v) for v in (level, section, clause, title, kind, kind_label, money, e.granted,
                                                e.excluded, e.undetermined, e.first_year, e.lifetime,
                                                e.first_year_guaranteed, e.lifetime_guaranteed,
                                                "true" if e.up_to else "false", e.open_ended,
                                                e.open_ended_per_year, *(getattr(e, p) for p in PHASES),
                                                *(getattr(e, f"{p}_guaranteed") for p in PHASES))])

    for c in simulation.clauses:
        row("clause", c.clause.section, c.clause.id, c.clause.title, c.clause.beneficiary or "", c.kind_label,
            money_kind(c.clause), c.exposure)
    for s in simulation.sections:
        row("section", s.ref, "", s.title, "", "", "", s.exposure)
    row("total", "", "", "", "", "", "new_money", simulation.total)
    if simulation.own_balance is not None:
        row("own_balance", "", "", "", "", "", "own_balance", simulation.own_balance)
    return buffer.getvalue()


def _phases_table(simulation: Simulation, lang: str) -> Table:
    """The money by where its periods stand on each row's as-of date: per clause that pays
    money and was granted, the total of new public money, and the own balances apart."""
    table = Table(title=label("batch.simulate.phases", lang))
    for key in ("batch.simulate.section", "batch.simulate.clause", *(f"batch.simulate.{p}" for p in PHASES)):
        table.add_column(label(key, lang), justify="right" if key.endswith(PHASES) else "left", overflow="fold")
    for item in simulation.clauses:
        e = item.exposure
        if item.clause.pays_money and e.granted:
            floor = _floor(item.clause)
            table.add_row(item.clause.section, item.clause.title, *(_phase(e, p, lang, floor) for p in PHASES))
    table.add_section()
    table.add_row(label("batch.simulate.total", lang), "", *(_phase(simulation.total, p, lang) for p in PHASES))
    own = simulation.own_balance
    if own is not None and own.granted:
        table.add_row(label("batch.simulate.short.own_balance", lang), "", *(_shown(getattr(own, p), lang)
                                                                            for p in PHASES))
    return table


def render(simulation: Simulation, format: str = "table", lang: str = "zh") -> str:
    """The simulation as `format` ("table", "json" or "csv") text."""
    if format == "json":
        return json.dumps(record(simulation, lang), ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        return _csv(simulation)
    buffer = io.StringIO()
    console = safe_console(file=buffer, width=140, color_system=None)

    def t(key: str) -> str:
        return label(key, lang)

    console.print(f"{t('batch.simulate.title')} — {simulation.policy}")
    console.print(label("batch.simulate.header", lang).format(
        rows=t("batch.simulate.rows"), evaluated=f"{simulation.rows_evaluated:,}", read=f"{simulation.rows_in:,}",
        rejected_label=t("batch.rows_rejected"), rejected=f"{simulation.rows_rejected:,}", as_of_label=t("batch.as_of"),
        as_of=simulation.as_of.isoformat()))

    sections = Table(title=t("batch.simulate.sections"))
    for key in ("batch.simulate.section", "batch.simulate.granted", "batch.simulate.first_year",
                "batch.simulate.lifetime", "batch.simulate.open_ended"):
        sections.add_column(t(key), justify="left" if key.endswith("section") else "right")
    for section in simulation.sections:
        e = section.exposure
        sections.add_row(f"{section.ref} {section.title}", f"{e.granted:,}", _first_year(e, lang),
                         _lifetime(e, lang), f"{e.open_ended:,}")
    total = simulation.total
    sections.add_section()
    sections.add_row(t("batch.simulate.total"), f"{total.granted:,}", _first_year(total, lang),
                     _lifetime(total, lang), f"{total.open_ended:,}")
    console.print(sections)
    own = simulation.own_balance
    if own is not None:
        console.print(label("batch.simulate.own_balance", lang).format(
            granted=f"{own.granted:,}", first_year=_shown(own.first_year, lang), lifetime=_shown(own.lifetime, lang)))

    clauses = Table(title=t("batch.simulate.clauses"))
    left = ("batch.simulate.section", "batch.simulate.clause", "batch.simulate.kind", "batch.simulate.money_kind")
    for key in ("batch.simulate.section", "batch.simulate.clause", "batch.simulate.kind",
                "batch.simulate.money_kind", "batch.simulate.granted", "batch.simulate.excluded",
                "batch.simulate.undetermined", "batch.simulate.first_year", "batch.simulate.lifetime",
                "batch.simulate.open_ended"):
        width = {"batch.simulate.clause": 14, "batch.simulate.first_year": 12, "batch.simulate.lifetime": 14}.get(key)
        clauses.add_column(t(key), justify="left" if key in left else "right", overflow="fold", min_width=width)
    for item in simulation.clauses:
        e, floor = item.exposure, _floor(item.clause)
        clauses.add_row(item.clause.section, item.clause.title, item.kind_label or item.clause.beneficiary or "",
                        t(f"batch.simulate.short.{money_kind(item.clause)}"), f"{e.granted:,}", f"{e.excluded:,}",
                        f"{e.undetermined:,}", _first_year(e, lang, floor), _lifetime(e, lang, floor),
                        f"{e.open_ended:,}")
    console.print(clauses)
    console.print(t("batch.simulate.note"))
    console.print(_phases_table(simulation, lang))
    console.print(t("batch.simulate.phases_note"))
    return buffer.getvalue()
