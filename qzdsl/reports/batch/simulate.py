"""The fiscal exposure of a policy over a population (`qzdsl simulate`): per clause and
per section, applicants granted and amounts. As JSON-ready data, as JSON, or as tables."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from rich.table import Table

from qzdsl.backends.sql.simulate import Exposure, Simulation
from qzdsl.money import to_json
from qzdsl.wording.labels import label
from qzdsl.output import console as safe_console


def _exposure(exposure: Exposure) -> dict:
    data = {"granted": exposure.granted, "first_year": to_json(exposure.first_year),
            "lifetime": to_json(exposure.lifetime), "open_ended": exposure.open_ended}
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
                     "kind": c.clause.beneficiary, **_exposure(c.exposure)} for c in simulation.clauses],
    }


def _shown(amount: Decimal | None, lang: str) -> str:
    return label("batch.simulate.non_monetary", lang) if amount is None else f"{amount:,.2f}"


def render(simulation: Simulation, format: str = "table", lang: str = "zh") -> str:
    """The simulation as `format` ("table" or "json") text."""
    if format == "json":
        return json.dumps(record(simulation), ensure_ascii=False, indent=2) + "\n"
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
                         _shown(e.lifetime, lang), f"{e.open_ended:,}")
    total = simulation.total
    sections.add_section()
    sections.add_row(t("batch.simulate.total"), f"{total.granted:,}", _shown(total.first_year, lang),
                     _shown(total.lifetime, lang), f"{total.open_ended:,}")
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
        clauses.add_row(item.clause.section, f"{item.clause.title} ({item.clause.id})", item.clause.beneficiary,
                        f"{e.granted:,}", f"{e.excluded:,}", f"{e.undetermined:,}", _shown(e.first_year, lang),
                        _shown(e.lifetime, lang), f"{e.open_ended:,}")
    console.print(clauses)
    console.print(t("batch.simulate.note"))
    return buffer.getvalue()
