"""`qzdsl diff` as a record (`qzdsl.diff.v1`): every change worded for a reviewer, each
changed outcome with its witness and the two verdicts side by side. The table, Markdown
and HTML reports lay this record out; none decides anything again."""

from __future__ import annotations

import json

from qzdsl.backends.audit.diff import Aspect, Change, ClauseDiff, Impact, PolicyDiff
from qzdsl.backends.evaluator.results import ClauseResult
from qzdsl.model import policy as m
from qzdsl.reports.eval.json import _Phrasing
from qzdsl.wording import terms
from qzdsl.wording.amounts import describe_amount
from qzdsl.wording.conditions import Phrasing
from qzdsl.wording.labels import label

SCHEMA = "qzdsl.diff.v1"


def render(result: PolicyDiff, lang: str = "zh") -> str:
    return json.dumps(record(result, lang), ensure_ascii=False, indent=2) + "\n"


def record(result: PolicyDiff, lang: str = "zh") -> dict:
    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    def version(policy: m.Policy) -> dict:
        return {"doc_number": policy.info.doc_number, "title": policy.info.title, "sha256": policy.sha256}

    if result.proved_same:
        verdict = t("diff.verdict.same")
    else:
        verdict = t("diff.verdict.changes", count=sum(c.impact is Impact.DIFFERS for c in result.clauses))
    return {
        "schema": SCHEMA,
        "old": version(result.old),
        "new": version(result.new),
        "outcome_changes": result.outcome_changes,
        "proved_same": result.proved_same,
        "verdict": verdict,
        "clauses": [_clause(c, result, lang) for c in result.clauses],
    }


def _clause(c: ClauseDiff, result: PolicyDiff, lang: str) -> dict:
    clause = c.clause
    policy = result.new if c.new is not None else result.old
    kind = policy.kinds.get(clause.beneficiary or "")
    data = {
        "id": clause.id,
        "title": clause.title,
        "section": clause.section,
        "kind": clause.beneficiary,
        "kind_label": kind.label if kind else "",
        "changes": [_change(change, result, lang) for change in c.changes],
        "impact": c.impact.value,
        "impact_text": label(f"diff.impact.{c.impact.value}" + (f".{c.question}" if c.question else ""), lang),
        "impact_short": label(f"diff.impact_short.{c.impact.value}" + (f".{c.question}" if c.question else ""), lang),
        "witness": None,
    }
    if c.witness is not None and c.replay is not None:
        words = Phrasing(result.new, lang)
        old_words = Phrasing(result.old, lang)
        facts = []
        shown = set(result.new.facts_of(c.new) if c.new is not None else ()) | \
            set(result.old.facts_of(c.old) if c.old is not None else ())
        for name, value in c.witness.facts:
            if name not in shown:
                continue  # the case answers every question; the report names those that decide
            phrasing = words if name in result.new.facts else old_words
            facts.append({"fact": name, "value": value.isoformat() if hasattr(value, "isoformat") else value,
                          "text": phrasing.fact_value(name, value)})
        data["witness"] = {
            "case": c.witness.to_json(),
            "as_of": c.witness.as_of.isoformat(),
            "facts": facts,
            "old": _verdict(c.replay.old, result.old, lang),
            "new": _verdict(c.replay.new, result.new, lang),
            "replays": c.replay.differs,
        }
    return data


def _verdict(r: ClauseResult | None, policy: m.Policy, lang: str) -> dict:
    if r is None:
        return {"status": None, "text": label("diff.absent", lang), "amount": None}
    amount = _Phrasing(policy, lang).payout_text(r.amount) if r.amount is not None else None
    text = terms.status(r.status, lang) + (("：" if lang == "zh" else ": ") + amount if amount else "")
    return {"status": r.status.value, "text": text, "amount": amount}


def _change(change: Change, result: PolicyDiff, lang: str) -> dict:
    return {"aspect": change.aspect.value, "what": label(f"diff.aspect.{change.aspect.value}", lang),
            "old": _shown(change.aspect, change.old, result.old, lang),
            "new": _shown(change.aspect, change.new, result.new, lang)}


def _shown(aspect: Aspect, value, policy: m.Policy, lang: str) -> str | None:
    """A changed value as a reviewer reads it."""
    if value is None:
        return None
    phrasing = _Phrasing(policy, lang)
    match aspect:
        case Aspect.ADDED | Aspect.REMOVED:
            return f"{value.title}（{describe_amount(value.amount, lang)}）" if lang == "zh" else \
                f"{value.title} ({describe_amount(value.amount, lang)})"
        case Aspect.CONDITION:
            return Phrasing(policy, lang).holds(value)
        case Aspect.AMOUNT | Aspect.CADENCE | Aspect.DURATION:
            return describe_amount(value, lang)
        case Aspect.WINDOW:
            return phrasing.window_text(value)
        case Aspect.AFTER_END:
            return label(f"eval.after_end.{value.after_end}", lang)
        case Aspect.CITATION:
            if lang == "zh":
                return "；".join(f"「{c.quote}」" for c in value)
            return "; ".join(f"“{c.quote}”" for c in value)
        case Aspect.DISCRETION:
            return label("diff.discretionary" if value else "diff.not_discretionary", lang)
        case Aspect.BENEFICIARY:
            kind = policy.kinds.get(value)
            return kind.label if kind else str(value)
        case Aspect.GROUP:  # exclusion groups by their labels, clauses by their titles
            groups, excludes, stackable = value
            titles = {c.id: c.title for c in policy.clauses}
            named = [policy.group_label(g) or label("cond.keyword.group", lang) for g in groups]
            named += [titles.get(c, c) for c in excludes + stackable]
            return ("、" if lang == "zh" else ", ").join(named) or "—"
    return str(value)
