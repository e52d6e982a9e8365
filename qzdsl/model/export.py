"""The compiled policy as plain JSON-ready data (`qzdsl show --format json`).

This is the integration point for web forms and other tools: facts with their Chinese
labels and types, clauses with citations, groups and amounts. Schema: "qzdsl.policy.v1".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qzdsl.diagnostics import PathStyle
from qzdsl.model import policy as m
from qzdsl.money import to_json

SCHEMA = "qzdsl.policy.v1"


def date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def span(value) -> dict | None:
    if value is None or value.line == 0:
        return None
    # Named as every report names files: relative when rendering, never as loaded.
    return {"file": PathStyle().show(value.file), "line": value.line, "column": value.column}


class _Tree(m.ExprVisitor[dict]):
    """An expression as a tagged tree: {"op": …, …}."""

    def visit_Const(self, node: m.Const) -> dict:
        value = node.value
        if isinstance(value, Decimal):
            value = to_json(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return {"op": "const", "type": node.type.value, "value": value}

    def visit_FactRef(self, node: m.FactRef) -> dict:
        return {"op": "fact", "name": node.name, "type": node.type.value}

    def visit_DefRef(self, node: m.DefRef) -> dict:
        return {"op": "def", "name": node.name, "type": node.type.value}

    def visit_AsOfRef(self, node: m.AsOfRef) -> dict:
        return {"op": "as_of"}

    def visit_Not(self, node: m.Not) -> dict:
        return {"op": "not", "arg": self.visit(node.operand)}

    def visit_And(self, node: m.And) -> dict:
        return {"op": "and", "args": [self.visit(o) for o in node.operands]}

    def visit_Or(self, node: m.Or) -> dict:
        return {"op": "or", "args": [self.visit(o) for o in node.operands]}

    def visit_Cmp(self, node: m.Cmp) -> dict:
        return {"op": node.op, "left": self.visit(node.left), "right": self.visit(node.right)}

    def visit_In(self, node: m.In) -> dict:
        return {"op": "not_in" if node.negated else "in", "arg": self.visit(node.operand),
                "members": list(node.members)}

    def visit_Shift(self, node: m.Shift) -> dict:
        return {"op": "shift", "date": self.visit(node.date), "amount": node.sign * node.amount, "unit": node.unit}

    def visit_Arith(self, node: m.Arith) -> dict:
        return {"op": node.op, "left": self.visit(node.left), "right": self.visit(node.right)}

    def visit_Via(self, node: m.Via) -> dict:
        return {"op": "via", "clause": node.clause, "arg": self.visit(node.operand)}


expr = _Tree().visit


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
        "term": c.term,
        "while": expr(c.continuing) if c.continuing is not None else None,
        "while_text": c.continuing.text if c.continuing is not None else None,
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
        "group_labels": {name: g.label for name, g in sorted(p.groups.items())},
        "terms": {
            t.name: {
                "label": t.label,
                "amount": t.amount,
                "unit": t.unit,
                "anchor": t.anchor,
                "clauses": [c.id for c in p.clauses if c.term == t.name],
                "citations": [citation(x) for x in t.citations],
            }
            for t in p.terms.values()
        },
        "needs": {
            n.name: {"label": n.label, "clauses": [c.id for c in p.clauses if n.name in c.pays_for]}
            for n in p.needs.values()
        },
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
