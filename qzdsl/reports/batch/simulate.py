"""The fiscal exposure of a policy over a population (`qzdsl simulate`): per clause and
per section, applicants granted and amounts. As JSON-ready data, as JSON, or as tables."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from rich.table import Table

from qzdsl.backends.sql.simulate import Exposure, Simulation
from qzdsl import escape
from qzdsl.money import to_json
from qzdsl.wording.labels import label
from qzdsl.output import console as safe_console


def _exposure(exposure: Exposure) -> dict:
    data = {"granted": exposure.granted, "first_year": to_json(exposure.first_year),
            "lifetime": to_json(exposure.lifetime), "open_ended": exposure.open_ended,
            "open_ended_per_year": to_json(exposure.open_ended_per_year)}
    if exposure.excluded is not None:
        data |= {"excluded": exposure.excluded, "undetermined": exposure.undetermined}
    return data


def record(simulation: Simulation) -> dict:
    return {
        "policy": {"doc_number": simulation.policy, "sha256": simulation.sha256},
        "source": simulation.source,
        "as_of": simulation.as_of.isoformat(),
        "rows_in": simulation.rows_in,
        "rows_evaluated": simulation.rows_evaluated,
        "rows_rejected": simulation.rows_rejected,
        "total": _exposure(simulation.total),
        "sections": [{"ref": s.ref, "title": s.title, **_exposure(s.exposure)} for s in simulation.sections],
        "clauses": [{"id": c.clause.id, "title": c.clause.title, "section": c.clause.section,
                     "kind": c.clause.beneficiary, "kind_label": c.kind_label, **_exposure(c.exposure)}
                    for c in simulation.clauses],
    }


def _shown(amount: Decimal | None, lang: str) -> str:
    return label("batch.simulate.non_monetary", lang) if amount is None else f"{amount:,.2f}"


def _lifetime(e: Exposure, lang: str) -> str:
    """The lifetime cost as a person should read it: open-ended grants have none, so they
    are shown by what they pay a year, never as a lifetime of 0."""
    if e.lifetime is None or not e.open_ended:
        return _shown(e.lifetime, lang)
    per_year = label("batch.simulate.open_ended_per_year", lang).format(amount=_shown(e.open_ended_per_year, lang))
    if e.open_ended == e.granted and not e.lifetime:
        return per_year
    return f"{_shown(e.lifetime, lang)} + {per_year}"


_CSV_COLUMNS = ("level", "section", "clause", "title", "kind", "kind_label", "granted", "excluded", "undetermined",
                "first_year", "lifetime", "open_ended", "open_ended_per_year")


def _csv_cell(value) -> str:
    """A CSV cell: money as plain decimals, text through the one CSV escaper."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return escape.csv_cell(str(value))


def _csv(simulation: Simulation) -> str:
    """One row per clause, per section and for the total, with the JSON's keys as headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)

    def row(level: str, section: str, clause: str, title: str, kind: str, kind_label: str, e: Exposure) -> None:
        writer.writerow([_csv_cell(v) for v in (level, section, clause, title, kind, kind_label, e.granted, e.excluded,
                                                e.undetermined, e.first_year, e.lifetime, e.open_ended,
                                                e.open_ended_per_year)])

    for c in simulation.clauses:
        row("clause", c.clause.section, c.clause.id, c.clause.title, c.clause.beneficiary or "", c.kind_label,
            c.exposure)
    for s in simulation.sections:
        row("section", s.ref, "", s.title, "", "", s.exposure)
    row("total", "", "", "", "", "", simulation.total)
    return buffer.getvalue()


def render(simulation: Simulation, format: str = "table", lang: str = "zh") -> str:
    """The simulation as `format` ("table", "json" or "csv") text."""
    if format == "json":
        return json.dumps(record(simulation), ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        return _csv(simulation)
    buffer = io.StringIO()
    console = safe_console(file=buffer, width=140, color_system=None)

    def t(key: str) -> str:
        return label(key, lang)

    console.print(f"{t('batch.simulate.title')} — {simulation.policy}")
    console.print(f"{t('batch.simulate.rows')}: {simulation.rows_evaluated:,} / {simulation.rows_in:,} "
                  f"({t('batch.rows_rejected')}: {simulation.rows_rejected:,}); "
                  f"{t('batch.as_of')}: {simulation.as_of.isoformat()}")

    sections = Table(title=t("batch.simulate.sections"))
    for key in ("batch.simulate.section", "batch.simulate.granted", "batch.simulate.first_year",
                "batch.simulate.lifetime", "batch.simulate.open_ended"):
        sections.add_column(t(key), justify="left" if key.endswith("section") else "right")
    for section in simulation.sections:
        e = section.exposure
        sections.add_row(f"{section.ref} {section.title}", f"{e.granted:,}", _shown(e.first_year, lang),
                         _lifetime(e, lang), f"{e.open_ended:,}")
    total = simulation.total
    sections.add_section()
    sections.add_row(t("batch.simulate.total"), f"{total.granted:,}", _shown(total.first_year, lang),
                     _lifetime(total, lang), f"{total.open_ended:,}")
    console.print(sections)

    clauses = Table(title=t("batch.simulate.clauses"))
    for key in ("batch.simulate.section", "batch.simulate.clause", "batch.simulate.kind", "batch.simulate.granted",
                "batch.simulate.excluded", "batch.simulate.undetermined", "batch.simulate.first_year",
                "batch.simulate.lifetime", "batch.simulate.open_ended"):
        clauses.add_column(t(key), justify="right" if key not in ("batch.simulate.section", "batch.simulate.clause",
                                                                   "batch.simulate.kind") else "left",
                           overflow="fold")
    for item in simulation.clauses:
        e = item.exposure
        clauses.add_row(item.clause.section, item.clause.title, item.kind_label or item.clause.beneficiary or "",
                        f"{e.granted:,}", f"{e.excluded:,}", f"{e.undetermined:,}", _shown(e.first_year, lang),
                        _lifetime(e, lang), f"{e.open_ended:,}")
    console.print(clauses)
    console.print(t("batch.simulate.note"))
    return buffer.getvalue()
