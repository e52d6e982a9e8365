"""The audit as JSON (schema "qzdsl.audit.v1"): findings, pairs with their witnesses, the
conflict graph, coverage, responsibility and targets. One policy gives one object;
several give an array of them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import networkx as nx

from qzdsl.model import export
from qzdsl.money import to_json
from qzdsl.model import policy as m
from qzdsl.backends.audit.audit import AuditReport, PairResult
from qzdsl.codes import CODES
from qzdsl.diagnostics import Diagnostic, PathStyle
from qzdsl.backends.audit.graph import to_networkx
from qzdsl.wording.amounts import describe_amount
from qzdsl.wording import audit as words

SCHEMA = "qzdsl.audit.v1"


def _plain(value: object) -> object:
    match value:
        case Decimal():
            return to_json(value)
        case dt.date():
            return value.isoformat()
        case m.AmountSpec():
            return export.amount(value)
        case m.Atom():
            return value.technical
        case tuple():
            return [_plain(v) for v in value]
    return value


def _location(span) -> dict:
    return {"file": PathStyle().show(span.file), "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def finding(f: Diagnostic, lang: str, policy=None) -> dict:
    return {
        "rule": f.code,
        "name": CODES[f.code].name,
        "severity": f.severity.value,
        "title": CODES[f.code].title(lang),
        "message": words.message(f, lang, policy),
        "hint": f.hint_in(lang) or None,
        "section": f.section,
        "clauses": list(f.clauses),
        "locations": [_location(s) for s in f.spans],
        "args": {name: _plain(value) for name, value in f.body.args},
        "witness": f.witness.to_json() if f.witness else None,
    }


def pair(p: PairResult) -> dict:
    resolution = None
    if p.resolution is not None:
        resolution = {"winner": p.resolution.winner, "tie": p.resolution.tie,
                      "values": {c: to_json(v) for c, v in p.resolution.values}}
    return {
        "a": p.a,
        "b": p.b,
        "why": list(p.why),
        "relation": p.relation,
        "overlap": p.overlap,
        "undecided": p.undecided or None,
        "reason": [{"clause": atom.clause, "text": atom.text} for atom in p.reason],
        "witness": p.witness.to_json() if p.witness else None,
        "resolution": resolution,
        "dominated": p.dominated,
    }


def graph(report: AuditReport, lang: str) -> dict:
    """The conflict graph in networkx's node-link form (what `--graph x.json` writes)."""
    g = to_networkx(report.nodes, report.edges, lambda a: describe_amount(a, lang))
    return nx.node_link_data(g, edges="edges")


def report_data(report: AuditReport, lang: str = "zh") -> dict:
    units, rows = words.responsibility(report)
    counts = words.counts(report.findings)
    return {
        "schema": SCHEMA,
        "lang": lang,
        "policy": export.info(report.info) | {"path": PathStyle().show(report.info.path), "sha256": report.sha256},
        "imports": [export.info(i) | {"path": PathStyle().show(i.path)} for i in report.imports],
        "summary": {s.value: n for s, n in counts.items()},
        "findings": [finding(f, lang, report.policy) for f in report.findings],
        "pairs": [pair(p) for p in report.pairs],
        "graph": graph(report, lang),
        "coverage": vars(report.coverage).copy(),
        "responsibility": {
            "units": list(units),
            "sections": [{"section": r.key, "title": r.title, "lead": r.lead,
                          "units": [u for u, cell in zip(units, r.cells) if cell]} for r in rows],
        },
        "targets": [
            {"id": t.id, "title": t.title, "op": t.op, "value": to_json(t.value), "unit": t.unit,
             "deadline": export.date(t.deadline), "section": t.section, "lead": t.lead, "units": list(t.units)}
            for t in report.targets
        ],
        "dependencies": [{"clause": d.clause, "title": d.title, "section": d.section, "text": d.text}
                         for d in report.dependencies],
    }


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    data = [report_data(r, lang) for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"
