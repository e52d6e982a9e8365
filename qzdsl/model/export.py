"""The compiled policy as plain JSON-ready data (`qzdsl show --format json`).

This is the integration point for web forms and other tools: facts with their Chinese
labels and types, clauses with citations, groups and amounts. Schema: "qzdsl.policy.v1".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.money import to_json

SCHEMA = "qzdsl.policy.v1"


def date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def span(value) -> dict | None:
    if value is None or value.line == 0:
        return None
    return {"file": value.file, "line": value.line, "column": value.column}


def expr(node: m.Expr) -> dict:
    """An expression as a tagged tree: {"op": …, …}."""
    match node:
        case m.Const(value=v, type=t):
            if isinstance(v, Decimal):
                v = to_json(v)
            elif isinstance(v, dt.date):
                v = v.isoformat()
            return {"op": "const", "type": t.value, "value": v}
        case m.FactRef(name=n, type=t):
            return {"op": "fact", "name": n, "type": t.value}
        case m.DefRef(name=n, type=t):
            return {"op": "def", "name": n, "type": t.value}
        case m.AsOfRef():
            return {"op": "as_of"}
        case m.Not(operand=o):
            return {"op": "not", "arg": expr(o)}
        case m.And(operands=ops):
            return {"op": "and", "args": [expr(o) for o in ops]}
        case m.Or(operands=ops):
            return {"op": "or", "args": [expr(o) for o in ops]}
        case m.Cmp(op=op, left=left, right=right):
            return {"op": op, "left": expr(left), "right": expr(right)}
        case m.In(operand=o, members=ms, negated=neg):
            return {"op": "not_in" if neg else "in", "arg": expr(o), "members": list(ms)}
        case m.Shift(date=d, amount=a, unit=u, sign=s):
            return {"op": "shift", "date": expr(d), "amount": s * a, "unit": u}
        case m.Arith(op=op, left=left, right=right):
            return {"op": op, "left": expr(left), "right": expr(right)}
        case m.Via(clause=c, operand=o):
            return {"op": "via", "clause": c, "arg": expr(o)}
    raise TypeError(f"unknown expression node {node!r}")


def citation(c: m.Citation) -> dict:
    return {"section": c.section, "quote": c.quote, "source_line": c.source_line}


def amount(a: m.AmountSpec) -> dict:
    return {
        "kind": a.kind.value,
        "low": to_json(a.low),
        "high": to_json(a.high),
        "cadence": a.cadence,
        "per_head": a.per_head,
        "fact": a.fact,
        "cap": to_json(a.cap),
        "cap_scope": a.cap_scope,
        "max_periods": a.max_periods,
        "max": a.max_text,
        "anchor": a.anchor,
        "calendar_year": a.calendar_year,
        "rule": a.rule,
    }


def window(w: m.Window) -> dict:
    return {
        "start": date(w.start),
        "end": date(w.end),
        "after_end": w.after_end,
        "provision": citation(w.provision) if w.provision else None,
    }


def clause(c: m.Clause) -> dict:
    return {
        "id": c.id,
        "kind": c.kind,
        "title": c.title,
        "policy": c.policy,
        "section": c.section,
        "section_title": c.section_title,
        "beneficiary": c.beneficiary,
        "requires": expr(c.requires),
        "requires_text": c.requires.text,
        "amount": amount(c.amount),
        "window": window(c.window),
        "channel": c.channel,
        "groups": list(c.groups),
        "excludes": list(c.excludes),
        "stackable": list(c.stackable),
        "discretionary": c.discretionary,
        "grants": c.grants,
        "existing": c.existing,
        "extends": c.extends,
        "citations": [citation(x) for x in c.citations],
        "notes": list(c.notes),
        "ambiguities": [{"question": a.question, "reading": a.reading} for a in c.ambiguities],
        "lead": c.lead,
        "span": span(c.span),
    }


def info(i: m.PolicyInfo) -> dict:
    return {
        "doc_number": i.doc_number,
        "title": i.title,
        "issued": date(i.issued),
        "in_force": date(i.in_force),
        "applies_from": date(i.applies_from),
        "principle": i.principle,
        "source": i.source_path,
        "citations": [citation(x) for x in i.citations],
    }


def policy(p: m.Policy) -> dict:
    return {
        "schema": SCHEMA,
        "policy": info(p.info),
        "imports": [info(i) for i in p.imports],
        "sha256": p.sha256,
        "kinds": {k.name: {"label": k.label, "policy": k.policy} for k in p.kinds.values()},
        "facts": {
            f.name: {
                "label": f.label,
                "type": f.type.value,
                "kinds": list(f.kinds),
                "members": [{"name": x.name, "label": x.label} for x in f.members],
                "question": f.question,
            }
            for f in p.facts.values()
        },
        "definitions": {
            d.name: {
                "label": d.label,
                "type": d.type.value,
                "expr": expr(d.expr),
                "text": d.expr.text,
                "citations": [citation(x) for x in d.citations],
            }
            for d in p.definitions.values()
        },
        "sections": {
            key: {
                "ref": s.ref,
                "title": s.title,
                "lead": s.lead,
                "units": list(s.units),
                "window": window(s.window),
                "policy": s.policy,
            }
            for key, s in p.sections.items()
        },
        "clauses": [clause(c) for c in p.clauses],
        "groups": groups(p),
        "targets": [
            {
                "id": t.id,
                "title": t.title,
                "op": t.op,
                "value": to_json(t.value),
                "unit": t.unit,
                "deadline": date(t.deadline),
                "section": t.section,
                "lead": t.lead,
                "citations": [citation(x) for x in t.citations],
            }
            for t in p.targets
        ],
        "asides": [
            {"id": a.id, "title": a.title, "reason": a.reason, "section": a.section,
             "citations": [citation(x) for x in a.citations]}
            for a in p.asides
        ],
    }


def groups(p: m.Policy) -> dict[str, list[str]]:
    """Exclusion group -> its clauses, in declaration order."""
    result: dict[str, list[str]] = {}
    for c in p.clauses:
        for g in c.groups:
            result.setdefault(g, []).append(c.id)
    return dict(sorted(result.items()))
