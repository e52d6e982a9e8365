"""The annotated law: the official text, sentence by sentence, each coloured by what the
encoding does with it (encoded / partly / not encoded / not a payout) and linked to the
clauses that encode it, with their amounts and the readings recorded for them in the
margin — one self-contained, printable HTML page (templates/doc_law.html.j2), in the
spirit of Catala's literate output."""

from __future__ import annotations

from collections import Counter

from qzdsl.model import policy as m
from qzdsl.reports.doc.coverage import COVERAGE, sentence_coverage
from qzdsl.reports.doc.table import _Doc
from qzdsl.reports.templating import render as render_template
from qzdsl.wording import terms
from qzdsl.wording.labels import label


def render(policy: m.Policy, lang: str = "zh") -> str:
    d = _Doc(policy, lang)
    coverage = sentence_coverage(policy)
    counts = Counter(s.coverage for s in coverage)
    paragraphs: dict[int, list] = {}
    for s in coverage:
        paragraphs.setdefault(s.line, []).append({
            "index": s.index,
            "line": s.line,
            "text": s.text,
            "coverage": s.coverage,
            "coverage_text": d.t(f"coverage.{s.coverage}"),
            "clauses": [{"anchor": f"c{c.order}", "title": c.title} for c in s.clauses],
            "readings": [{"question": d.words.plain(a.question), "reading": d.words.plain(a.reading)}
                         for c in s.clauses for a in c.ambiguities],
            "reason": None if s.coverage == "encoded" else (
                d.reason(s) if s.coverage != "partly" else d.t(
                    "reason.partly", amounts="、".join(f"{a.normalize():f}元" for a in s.missing_amounts))),
        })
    clauses = []
    for clause in policy.clauses:
        kind = policy.kinds.get(clause.beneficiary)
        per_head = policy.label(clause.amount.per_head) if clause.amount.per_head else None
        clauses.append({
            "anchor": f"c{clause.order}",
            "title": clause.title,
            "section": f"{clause.section} {clause.section_title}",
            "kind": terms.clause_kind(clause.kind, lang),
            "amount": d.amount(clause, per_head),
            "money": terms.money_kind(terms.money_kind_of(clause), lang),
            "beneficiary": kind.label if kind else "—",
            "conditions": d.words.holds(clause.requires, True),
            "period": d.period(clause),
            "discretion": d.discretion(clause),
            "relations": d.relations(clause).split("\n"),
        })
    return render_template(
        "doc_law.html.j2", lang=lang, info=policy.info, sha256=policy.sha256,
        paragraphs=[paragraphs[line] for line in sorted(paragraphs)],
        counts=[(c, d.t(f"coverage.{c}"), counts.get(c, 0)) for c in COVERAGE],
        total=len(coverage), clauses=clauses, t=lambda key, **v: label(f"law.{key}", lang).format(**v),
        col=lambda key: d.t(f"col.{key}"), translation_note=label("translation_note", lang))
