"""The caseworker's page of `qzdsl serve`: the state of a form, and its HTML.

The page keeps no state on the server: every answer travels in the form (`f.FACT`), so a
submit re-reads all of them with the one reader of values, evaluates, and shows the
questions still needed (the one deciding the most first), the answers given (each can be
changed), the answers refused (with the reason and a suggestion) and the result. It works
with no script at all; the form posts, the page comes back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qzdsl.cases.values import Refused, read_date, read_kind
from qzdsl.frontdoor.interview import Interview, progress
from qzdsl.model import policy as m
from qzdsl.wording.amounts import yuan
from qzdsl.wording.interview import WORDS

FIELD = "f."  # form fields of facts: f.purchase_date=2024年4月18日
UNKNOWN = "不知道"  # the answer that leaves a fact unknown


@dataclass
class FormState:
    """What a submitted form says: the interview it amounts to, the raw answers (shown
    back as typed) and the answers refused, by field."""

    lang: str
    interview: Interview | None = None
    raw: dict[str, str] = field(default_factory=dict)
    refused: dict[str, Refused] = field(default_factory=dict)
    as_of_text: str = ""
    name: str = ""


def read_form(policy: m.Policy, fields: dict[str, str], lang: str, today: dt.date) -> FormState:
    """The state of a submitted form (fields: kind, as_of, name and f.FACT answers)."""
    state = FormState(lang, as_of_text=fields.get("as_of", "").strip(), name=fields.get("name", "").strip())
    as_of = today
    if state.as_of_text:
        try:
            as_of = read_date(state.as_of_text)
        except Refused as refusal:
            state.refused["as_of"] = refusal
    kind_text = fields.get("kind", "").strip()
    if not kind_text:
        return state
    try:
        kind = read_kind(policy, kind_text)
    except Refused as refusal:
        state.refused["kind"] = refusal
        return state
    talk = Interview(policy, kind, as_of, name=state.name or None)
    for name, fact in policy.facts.items():
        text = fields.get(FIELD + name, "").strip()
        if not text or kind not in fact.kinds:
            continue
        state.raw[name] = text
        try:
            talk.answer(name, text)
        except Refused as refusal:
            state.refused[name] = refusal
    state.interview = talk
    return state


QUESTIONS_SHOWN = 5  # questions on the page at once; the next appear as these are answered


def render(policy: m.Policy, state: FormState, limit_questions: int | None = QUESTIONS_SHOWN) -> str:
    """The page for `state`: the `limit_questions` questions deciding the most, the
    answers given, the result."""
    from qzdsl.reports.templating import render as render_template

    words = WORDS[state.lang]
    context: dict = {"w": words, "lang": state.lang, "policy": policy, "state": state,
                     "kinds": list(policy.kinds.values()),
                     "field": FIELD, "unknown": UNKNOWN, "kind": None, "questions": [], "answered": [],
                     "progress": None, "refusals": _refusals(policy, state), "more": 0}
    talk = state.interview
    if talk is not None:
        context["kind"] = talk.kind
        asked = talk.questions()
        if limit_questions is not None:
            context["more"] = max(len(asked) - limit_questions, 0)
            asked = asked[:limit_questions]
        context["questions"] = [_question(policy, q, state) for q in asked]
        shown = {q.fact for q in asked}
        context["answered"] = [_answered(policy.facts[name], state) for name in policy.facts
                               if name not in shown and (name in state.raw)]
        context["progress"] = progress(talk.decision(), state.lang)
    return render_template("interview.html.j2", **context)


def _refusals(policy: m.Policy, state: FormState) -> list[dict]:
    shown = []
    for name, refusal in state.refused.items():
        label = policy.facts[name].label if name in policy.facts else WORDS[state.lang].get(
            "evaluation_date" if name == "as_of" else "pick_kind", name)
        shown.append({"field": name, "label": label, "message": refusal.message(state.lang),
                      "hint": refusal.hint(state.lang)})
    return shown


def _question(policy: m.Policy, question, state: FormState) -> dict:
    fact = policy.facts[question.fact]
    return {**_fact_view(fact, state), "clauses": [policy.clause(c).title for c in question.clauses],
            "stake": yuan(question.stake, state.lang) if question.stake else ""}


def _answered(fact: m.Fact, state: FormState) -> dict:
    return _fact_view(fact, state)


def _fact_view(fact: m.Fact, state: FormState) -> dict:
    refusal = state.refused.get(fact.name)
    return {"name": fact.name, "label": fact.label, "question": fact.question or fact.label, "type": fact.type.value,
            "members": [(x.name, x.label) for x in fact.members], "value": state.raw.get(fact.name, ""),
            "chosen": _chosen(fact, state), "refused": refusal.message(state.lang) if refusal else None,
            "hint": refusal.hint(state.lang) if refusal else None, "placeholder": _placeholder(fact, state.lang),
            "over_time": _over_time(fact, state)}


def _over_time(fact: m.Fact, state: FormState) -> str:
    """For a fact read period by period that a text field asks (a count, an amount), how to
    give its values over time; else nothing."""
    talk = state.interview
    if talk is None or fact.type in (m.Type.BOOL, m.Type.ENUM):
        return ""  # asked with a menu: values over time are given in a case file
    if fact.name not in talk.policy.facts_over_time(talk.kind):
        return ""
    from qzdsl.cases.template import dated_example
    from qzdsl.wording.interview import say

    return say("over_time", state.lang, example=dated_example(fact, braces=False))


def _chosen(fact: m.Fact, state: FormState) -> str:
    """The option to show selected: the value read (a member's name, "true"/"false"),
    "不知道", or nothing."""
    talk = state.interview
    if talk is None:
        return ""
    if fact.name in talk.unknown:
        return UNKNOWN
    value = talk.facts.get(fact.name)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value if isinstance(value, str) else ""


_PLACEHOLDERS = {
    "zh": {m.Type.DATE: "如 2024-06-01 或 2024年6月1日", m.Type.MONEY: "如 20000、2万、两万元", m.Type.COUNT: "如 3"},
    "en": {m.Type.DATE: "e.g. 2024-06-01 or 2024/6/1", m.Type.MONEY: "e.g. 20000, 2万, 20,000", m.Type.COUNT: "e.g. 3"},
}


def _placeholder(fact: m.Fact, lang: str) -> str:
    return _PLACEHOLDERS[lang].get(fact.type, "")
