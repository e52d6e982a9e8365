"""The summary of a batch run (`qzdsl eval --batch`): what was read, written and rejected,
and whether the counts reconcile. As JSON-ready data, as JSON, or as a terminal table."""

from __future__ import annotations

import io
import json

from rich.table import Table

from qzdsl.backends.sql.batch import BatchSummary
from qzdsl.wording import terms
from qzdsl.wording.labels import label
from qzdsl.output import console as safe_console


def record(summary: BatchSummary) -> dict:
    return {
        "policy": {"doc_number": summary.policy, "sha256": summary.sha256},
        "source": summary.source,
        "out": summary.out,
        "errors": summary.errors,
        "as_of": summary.as_of.isoformat(),
        "rows_in": summary.rows_in,
        "rows_out": summary.rows_out,
        "rows_rejected": summary.rows_rejected,
        "reconciled": summary.reconciled,
        "unused_columns": list(summary.unused_columns),
        "missing_facts": list(summary.missing_facts),
        "layout": summary.layout,
        # Whether the paid / due / projected columns were written (`--phases`).
        "phases": summary.phases,
        # What each clause's amount columns are: never add `own_balance` to public money, and
        # a `discretionary` or `ceiling` amount is "up to" (its `__low` is not owed).
        "money_kinds": {clause: kind for clause, _, kind in summary.money_kinds},
    }


def render(summary: BatchSummary, format: str = "table", lang: str = "zh") -> str:
    """The summary as `format` ("table" or "json") text."""
    if format == "json":
        return json.dumps(record(summary), ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    console = safe_console(file=buffer, width=100, color_system=None)

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    table = Table(title=f"{t('batch.title')} — {summary.policy}", show_header=False)
    table.add_column()
    table.add_column(overflow="fold")
    rows = [("batch.source", summary.source), ("batch.out", summary.out), ("batch.errors", summary.errors),
            ("batch.as_of", summary.as_of.isoformat()), ("batch.rows_in", f"{summary.rows_in:,}"),
            ("batch.rows_out", f"{summary.rows_out:,}"), ("batch.rows_rejected", f"{summary.rows_rejected:,}")]
    if summary.unused_columns:
        rows.append(("batch.unused_columns", ", ".join(summary.unused_columns)))
    if summary.missing_facts:
        rows.append(("batch.missing_facts", ", ".join(summary.missing_facts)))
    for key, value in rows:
        table.add_row(t(key), value or "—")
    console.print(table)
    apart = [(title, kind) for _, title, kind in summary.money_kinds
             if kind in ("own_balance", "discretionary", "ceiling", "floor")]
    if apart:
        kinds = Table(title=t("batch.money_kinds"), show_header=False)
        kinds.add_column(overflow="fold")
        kinds.add_column(overflow="fold")
        for title, kind in apart:
            kinds.add_row(title, terms.money_kind(kind, lang))
        console.print(kinds)
        console.print(t("batch.money_kinds_note"))
    counts = {"rows_in": f"{summary.rows_in:,}", "rows_out": f"{summary.rows_out:,}",
              "rows_rejected": f"{summary.rows_rejected:,}"}
    console.print(t("batch.reconciled" if summary.reconciled else "batch.not_reconciled", **counts))
    return buffer.getvalue()
