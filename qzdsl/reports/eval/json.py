"""A decision as a versioned JSON record ("qzdsl.eval.v1", documented in docs/eval.md).

The record is also what the Markdown, HTML and table reports render: it carries the
machine values (ids, exact amounts, ISO dates) and, in `*text` fields, the same values
phrased in the report's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import weakref
from decimal import Decimal

from qzdsl.diagnostics import PathStyle
from qzdsl.model import policy as m
from qzdsl.model.derived import derived
from qzdsl.wording.amounts import describe_amount, yuan
from qzdsl.cases.case import canonical_facts, changes_json, json_value
from qzdsl.backends.evaluator.results import (
    AmountFactMissing,
    ClauseResult,
    ConditionFailed,
    ConditionUnknown,
    ContinuingStopped,
    Decision,
    ExcludedBy,
    KeptAlongside,
    OutOfWindow,
    PeriodsUndetermined,
    Reason,
    RequirementMet,
    ScheduleCut,
    TraceNode,
)
from qzdsl.backends.evaluator.evaluator import failures
from qzdsl.backends.evaluator.questions import Question, questions
from qzdsl.backends.evaluator.schedule import Part, Payout, Timeline, favourability, trial_split
from qzdsl.wording import terms
from qzdsl.wording.conditions import Phrasing
from qzdsl.wording.labels import label

SCHEMA = "qzdsl.eval.v1"
# Types compared for every trace node: globals, since an enum member costs ten times more
# to look up on its class (Python 3.11).
_BOOL, _MONEY, _ENUM = m.Type.BOOL, m.Type.MONEY, m.Type.ENUM


def render(decision: Decision, lang: str = "zh") -> str:
    return json.dumps(record(decision, lang), ensure_ascii=False, indent=2) + "\n"


def record(decision: Decision, lang: str = "zh") -> dict:
    """The decision as JSON-ready data; see docs/eval.md for every field."""
    policy = decision.policy
    phrase = phrasing(policy, lang)
    case = decision.case
    kind = policy.kinds.get(case.kind)
    return {
        "schema": SCHEMA,
        "decision_id": decision.id,
        "lang": lang,
        "record": provenance(decision),
        "policy": {"doc_number": policy.info.doc_number, "title": policy.info.title, "sha256": policy.sha256},
        "as_of": decision.as_of.isoformat(),
        "case": {
            "name": case.name,
            "path": PathStyle().show(case.path) if case.path else case.path,
            "kind": case.kind,
            "kind_label": kind.label if kind else case.kind,
            "facts": [
                {"name": name, "label": fact.label, "value": json_value(case.facts[name]),
                 "text": phrase.fact_value(name, case.facts[name])} if name in case.facts else
                {"name": name, "label": fact.label, "value": changes_json(case.changes[name]),
                 "text": phrase.changes_text(name, case.changes[name])}
                for name, fact in policy.facts.items() if name in case.facts or name in case.changes
            ],
        },
        "totals": phrase.totals(decision),
        "questions": [phrase.question(q) for q in questions(decision)],
        "clauses": [phrase.clause(result) for result in decision.results],
    }


def evaluated_at() -> str:
    """Now, in UTC to the second; SOURCE_DATE_EPOCH (reproducible builds) pins it."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (dt.datetime.fromtimestamp(int(pinned), dt.timezone.utc) if pinned.isdigit()
              else dt.datetime.now(dt.timezone.utc))
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def case_sha256(kind: str, facts: dict) -> str:
    """The SHA-256 of a case's kind and facts as canonical JSON (sorted, UTF-8): the same
    applicant gives the same digest whatever file or form it came from."""
    text = json.dumps({"kind": kind, "facts": facts}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def provenance(decision: Decision) -> dict:
    """What a stored decision needs to be checked later (`qzdsl eval --verify`)."""
    from qzdsl import __version__

    return {
        "qzdsl_version": __version__,
        "evaluated_at": evaluated_at(),
        "policy_sha256": decision.policy.sha256,
        "case_sha256": case_sha256(decision.case.kind, canonical_facts(decision.case)),
    }


def _json(value) -> bool | int | str | None:
    """A trace value as JSON (money and numbers exact)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (Decimal, int, dt.date)):
        return json_value(value)
    return str(value)


def _money(value: Decimal | None) -> int | str | None:
    return None if value is None else json_value(value)


def phrasing(policy: m.Policy, lang: str) -> "_Phrasing":
    """The record's phrasing for `policy` in `lang`, one per policy object and language:
    what it has phrased once (a condition, a clause's amount, a reading) it reuses for
    every later decision, so a server phrases each condition once, not per request."""
    return derived(policy, ("eval.record", lang), lambda: _Phrasing(weakref.proxy(policy), lang))


class _Phrasing:
    """Turns results into record fields, phrasing text in one language.

    What depends only on the policy is phrased once and kept: a condition's sentence per
    expression and truth value, a value's name per expression, a clause's amount, window
    and readings. An expression is looked up by identity (`id`), so each entry keeps its
    expression alive: an id is never reused while its entry exists."""

    def __init__(self, policy: m.Policy, lang: str):
        self.policy = policy
        self.lang = lang
        self.words = Phrasing(policy, lang)
        self._holds: dict[tuple[int, bool | None], tuple[m.Expr, str]] = {}
        self._nouns: dict[int, tuple[m.Expr, str]] = {}
        self._plain: dict[str, str] = {}
        self._windows: dict[int, tuple[m.Window, tuple[str, str | None]]] = {}
        self._rates: dict[int, tuple[m.Clause, str]] = {}
        self._unknown, self._yes, self._no = self.t("eval.unknown"), self.t("eval.true"), self.t("eval.false")
        self._colon = "：" if lang == "zh" else ": "

    def t(self, key: str, **values) -> str:
        return label(key, self.lang).format(**values)

    # ---- values -----------------------------------------------------------------
    def fact_value(self, name: str, value) -> str:
        if value is None:
            return self._unknown
        if value is True or value is False:
            return self._yes if value else self._no
        fact = self.policy.facts.get(name)
        if fact is not None and fact.type is _MONEY:
            return yuan(Decimal(value), self.lang)
        if fact is not None and fact.type is _ENUM:
            member = fact.member(value)
            return member.label if member else str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def changes_text(self, name: str, entries) -> str:
        """A value changing over time: 2024-05-01起300元；2026-01-01起150元."""
        sep = "；" if self.lang == "zh" else "; "
        return sep.join(self.t("eval.value_from", date=date.isoformat(), value=self.fact_value(name, value))
                        for date, value in entries)

    def facts_text(self, names: tuple[str, ...], node: TraceNode) -> str:
        """Each of `names` with the value `node` read, as a statement (毕业院校类别为衢州高校)."""
        values = _fact_values(node)
        parts = [self.words.fact_value(name, values.get(name)) for name in names]
        sep = "；" if self.lang == "zh" else "; "
        return sep.join(parts) if parts else self.t("eval.none")

    def node_value(self, node: TraceNode) -> str:
        value = node.value
        if node.op == "fact":
            return self.fact_value(node.name, value)
        if value is None:
            return self._unknown
        if value is True or value is False:
            return self._yes if value else self._no
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def condition(self, node: TraceNode) -> str:
        """What the node found, as a sentence: the condition holds, fails or is unknown."""
        expr, value = node.expr, node.value
        if expr is None:
            return node.label or self.t("eval.unknown")
        if not (value is True or value is False or value is None):
            return self.words.holds(expr, value)
        key = (id(expr), value)
        known = self._holds.get(key)
        if known is None or known[0] is not expr:
            known = self._holds[key] = (expr, self.words.holds(expr, value))
        return known[1]

    def noun(self, expr: m.Expr) -> str:
        known = self._nouns.get(id(expr))
        if known is None or known[0] is not expr:
            known = self._nouns[id(expr)] = (expr, self.words.noun(expr))
        return known[1]

    def plain(self, text: str) -> str:
        known = self._plain.get(text)
        if known is None:
            known = self._plain[text] = self.words.plain(text)
        return known

    def sentence(self, node: TraceNode, value_text: str | None = None) -> str:
        """A trace node in words: a condition as a statement, a value as `name：value`
        (`value_text`: the node's value in words, when already phrased)."""
        expr = node.expr
        if expr is None or expr.type is _BOOL:
            return self.condition(node)
        if value_text is None:
            value_text = self.node_value(node)
        if node.op == "const":
            return value_text
        return f"{self.noun(expr)}{self._colon}{value_text}"

    # ---- amounts ----------------------------------------------------------------
    def rate(self, low: Decimal | None, high: Decimal | None) -> str:
        if low is not None and high is not None and low == high:
            return yuan(low, self.lang)
        if low is None:
            return self.t("eval.amount.up_to", amount=yuan(high, self.lang))
        if high is None:
            return self.t("eval.amount.at_least", amount=yuan(low, self.lang))
        return self.t("eval.amount.range", low=yuan(low, self.lang), high=yuan(high, self.lang))

    def payout_text(self, p: Payout, line: Timeline | None = None, discretionary: bool = False) -> str:
        """What a clause pays, in words: the amount of a period (of the current one when the
        amount differs from period to period), the number of periods, and the total — with
        `line`, the timeline of a granted clause, the total under the facts given (stopped
        and undetermined periods pay nothing), and the nominal lifetime beside it, named as
        such, where the two differ. A discretionary amount (可给予) reads "up to"."""
        zh = self.lang == "zh"
        cadence = terms.cadence(p.cadence, self.lang)
        rate = self.up_to(p.low, p.high) if discretionary else self.rate(p.low, p.high)
        core = f"{cadence}{rate}" if zh else f"{rate} {cadence}"
        parts = [core]
        if p.heads is not None:
            parts.append(self.t("eval.heads", count=p.heads))
        if p.amounts is not None:
            parts.append(self.t("eval.amount.by_period"))
        shown = self.up_to if discretionary else self.rate
        if p.cadence != "once" and p.count is None:
            parts.append(self.t("eval.open_ended"))
        elif p.cadence != "once":
            key = f"eval.amount.periods.{p.cadence}" + (".1" if p.count == 1 else "")
            parts.append(self.t(key, count=p.count))
        nominal = (p.total_low, p.total_high)
        if line is None or line.states is None:
            if p.cadence != "once" and p.count is not None:
                parts.append(self.t("eval.amount.lifetime", amount=shown(*nominal)))
        elif line.future is not None:  # judged period by period, with an end
            total = line.total
            if total == nominal:
                if p.cadence != "once":
                    parts.append(self.t("eval.amount.lifetime", amount=shown(*total)))
            else:
                parts.append(self.t("eval.amount.under_facts", amount=shown(*total)))
                if p.count is not None:
                    parts.append(self.t("eval.amount.nominal", amount=shown(*nominal)))
        return ("，" if zh else ", ").join(parts)

    def up_to(self, low: Decimal | None, high: Decimal | None) -> str:
        """An amount an official may grant (可给予): at most its high end, nothing owed."""
        return self.rate(None, high) if high is not None else self.rate(low, high)

    def timeline(self, line: Timeline | None, continuing: str | None, clause: m.Clause | None = None) \
            -> dict | None:
        """Where a granted schedule stands on the as-of date: paid, due, projected (each "up
        to", and not owed, when the amount is discretionary; what may be drawn, when it is
        the applicant's own balance)."""
        if line is None:
            return None
        parts = []
        shown, kind = self.rate, ""
        if clause is not None and clause.own_balance:
            kind = ".own_balance"
        elif clause is not None and clause.discretionary:
            shown, kind = self.up_to, ".discretionary"
        for name in ("paid", "due", "projected"):
            low, high = getattr(line, name)
            if name == "projected" and line.future is None:
                parts.append(self.t("eval.timeline.projected_open"))
            elif not low and high == 0:
                continue
            else:
                parts.append(self.t(f"eval.timeline.{name}{kind}", amount=shown(low, high)))
        for name in ("stopped", "undetermined"):
            if line.tail is not None and line.tail.value == name:  # open-ended, ended for good
                parts.append(self.t(f"eval.timeline.{name}_open", date=line.stopped_from.isoformat()
                                    if line.stopped_from else ""))
            elif getattr(line, name):
                parts.append(self.t(f"eval.timeline.{name}", count=getattr(line, name)))
        text = ("；" if self.lang == "zh" else "; ").join(parts)
        if continuing and (line.future is None or line.future > 0):
            text += ("（" + continuing + "）") if self.lang == "zh" else f" ({continuing})"
        return {
            "past": line.past,
            "current": line.current,
            "future": line.future,
            "paid": {"low": _money(line.paid[0]), "high": _money(line.paid[1])},
            "due": {"low": _money(line.due[0]), "high": _money(line.due[1])},
            "projected": None if line.future is None else {"low": _money(line.projected[0]),
                                                           "high": _money(line.projected[1])},
            "total": None if line.future is None else {"low": _money(line.total[0]), "high": _money(line.total[1])},
            "stopped": line.stopped,
            "undetermined": line.undetermined,
            "tail": None if line.tail is None else line.tail.value,
            "text": text,
        }

    def payout(self, p: Payout | None, line: Timeline | None = None, conditional: bool = False,
               discretionary: bool = False) -> dict | None:
        """A clause's amount. `total` is what it pays under the facts given: for a granted
        clause judged period by period, over the periods that pay (the timeline's paid +
        due + projected); `nominal` is the lifetime at the maximum duration on the as-of
        facts, every period counted. The two differ only when facts change over time."""
        if p is None:
            return None
        total = None if p.open_ended else (p.total_low, p.total_high)
        if line is not None and line.states is not None:
            total = None if line.future is None else line.total
        return {
            "kind": p.kind.value,
            "cadence": p.cadence,
            "heads": p.heads,
            "per_period": {"low": _money(p.low), "high": _money(p.high)},
            "by_period": p.amounts is not None,
            "periods": p.count,
            "open_ended": p.open_ended,
            "first": p.first.isoformat() if p.first else None,
            "total": None if total is None else {"low": _money(total[0]), "high": _money(total[1])},
            "nominal": None if p.open_ended else {"low": _money(p.total_low), "high": _money(p.total_high)},
            "value": _money(favourability(p, line)),
            "dropped": p.dropped,
            "cut_at": p.cut_at.isoformat() if p.cut_at else None,
            "text": self.payout_text(p, line, discretionary),
            "schedule": [self.period(x, line, conditional) for x in p.periods],
        }

    def period(self, x, line: Timeline | None, conditional: bool = False) -> dict:
        state = line.state(x.index - 1) if line is not None else None
        state_text = None
        if state is not None:
            state_text = terms.period_state(state, self.lang)
            if state is m.PeriodState.PROJECTED and conditional:
                state_text = self.t("period_state.projected_conditional")
        paid = state is None or state.pays
        low, high = (x.low, x.high) if paid or line.states is None else (None, None)
        return {"index": x.index, "start": x.start.isoformat() if x.start else None,
                "end": x.end.isoformat() if x.end else None,
                "low": _money(low if paid else Decimal(0)), "high": _money(high if paid else Decimal(0)),
                "text": self.rate(x.low, x.high) if paid else yuan(Decimal(0), self.lang),
                "state": state.value if state is not None else None,
                "state_text": state_text}

    def trial(self, result: ClauseResult) -> dict | None:
        """A granted schedule that runs past its section's trial: the amounts of the periods
        starting inside it and after it, apart, with the other readings of what happens
        after the trial and of when it ends (None when it does not run past the end)."""
        line = result.timeline if result.status is m.Status.GRANTED else None
        split = trial_split(result.clause, result.amount, line) if terms.shows_payout(result.status) else None
        if split is None:
            return None
        cadence = result.amount.cadence

        def part(p: Part | None) -> dict | None:
            return None if p is None else {"periods": p.count, "low": _money(p.low), "high": _money(p.high)}

        def words(p: Part) -> str:
            if not p.count:
                return self.t("eval.trial.none")
            key = f"eval.amount.periods.{cadence}" + (".1" if p.count == 1 else "")
            return self.t("eval.trial.part", span=self.t(key, count=p.count), amount=self.rate(p.low, p.high))

        sep = "；" if self.lang == "zh" else "; "
        text = self.t("eval.trial.split", end=split.end.isoformat(), inside=words(split.inside),
                      after=words(split.after), reading=self.t(f"eval.after_end.{split.after_end}"))
        text += sep + self.t("eval.trial.other_after_end", reading=self.t(f"eval.after_end.{split.other_after_end}"),
                             total=self.rate(split.other_total.low, split.other_total.high))
        if split.other_end is not None:
            text += sep + self.t("eval.trial.other_end", end=split.other_end.isoformat(),
                                 inside=words(split.other_inside), after=words(split.other_after))
        return {"end": split.end.isoformat(), "after_end": split.after_end.value, "inside": part(split.inside),
                "after": part(split.after), "other_after_end": split.other_after_end.value,
                "other_total": part(split.other_total),
                "other_end": split.other_end.isoformat() if split.other_end else None,
                "other_inside": part(split.other_inside), "other_after": part(split.other_after), "text": text}

    def after_trial(self, decision: Decision) -> Decimal:
        """Of the guaranteed public total, what the periods starting after a trial pay (0
        under the reading "stop"): the part the other reading of the trial would not pay."""
        after = Decimal(0)
        for result in decision.by_status(m.Status.GRANTED):
            clause = result.clause
            if not (clause.public_money and clause.guaranteed):
                continue
            split = trial_split(clause, result.amount, result.timeline)
            if split is not None and split.after.low is not None:
                after += split.after.low
        return after

    def totals(self, decision: Decision) -> dict:
        totals = decision.totals
        parts = []
        if totals.monetary and totals.open_ended:  # the open-ended ones have no total: a floor
            parts.append(self.t("eval.amount.at_least", amount=yuan(totals.low, self.lang)))
        elif totals.monetary:
            parts.append(yuan(totals.low, self.lang) if totals.high == totals.low
                         else self.rate(totals.low or None, totals.high))
        if totals.open_ended:
            parts.append(self.t("eval.total_open_ended", count=totals.open_ended))
        if totals.own_balance:
            parts.append(self.t("eval.total_own_balance", amount=yuan(totals.own_balance, self.lang)))
        after = self.after_trial(decision)
        if after:
            parts.append(self.t("eval.total_after_trial", amount=yuan(after, self.lang)))
        phases = []
        conditional = any(r.clause.continuing is not None and r.timeline is not None and r.timeline.future != 0
                          for r in decision.by_status(m.Status.GRANTED))
        for name in ("paid", "due", "projected"):
            low, high = getattr(totals, name)
            if low or high is None or high:
                key = f"eval.total_{name}" + ("_conditional" if name == "projected" and conditional else "")
                phases.append(self.t(key, amount=self.rate(low or None, high)
                                     if low != high else yuan(low, self.lang)))
        return {
            "granted": totals.granted,
            "monetary": totals.monetary,
            "low": _money(totals.low),
            "high": _money(totals.high),
            "value": _money(totals.value),
            "open_ended": totals.open_ended,
            "own_balance": _money(totals.own_balance),
            "after_trial": _money(after),
            "text": ("，" if self.lang == "zh" else ", ").join(parts) or yuan(Decimal(0), self.lang),
            "paid": {"low": _money(totals.paid[0]), "high": _money(totals.paid[1])},
            "due": {"low": _money(totals.due[0]), "high": _money(totals.due[1])},
            "projected": {"low": _money(totals.projected[0]), "high": _money(totals.projected[1])},
            "schedule_text": ("；" if self.lang == "zh" else "; ").join(phases),
        }

    # ---- windows and reasons --------------------------------------------------------
    def window_text(self, w: m.Window) -> str:
        if w.end is None:
            return self.t("eval.window_open", start=w.start.isoformat())
        return self.t("eval.window_range", start=w.start.isoformat(), end=w.end.isoformat())

    def window(self, w: m.Window) -> dict:
        provision = w.provision
        return {
            "start": w.start.isoformat(),
            "end": w.end.isoformat() if w.end else None,
            "other_end": w.other_end.isoformat() if w.other_end else None,
            "after_end": w.after_end,
            "text": self._window_words(w)[0],
            "provision": {"section": provision.section, "quote": provision.quote} if provision else None,
        }

    def term(self, term: m.Term | None, result: ClauseResult) -> dict | None:
        """The declared term a clause is paid within, dated when its start is known."""
        if term is None:
            return None
        start = end = None
        if result.entitlement_date is not None and result.status is not m.Status.UNDETERMINED:
            start, end = term.bounds(result.entitlement_date)
        text = term.label
        if start is not None:
            text += ("：" if self.lang == "zh" else ": ") + self.t("eval.window_range", start=start.isoformat(),
                                                                   end=end.isoformat())
        return {"name": term.name, "label": term.label, "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None, "text": text,
                "clauses": [x.id for x in self.policy.clauses if x.term == term.name],
                "citations": [{"section": x.section, "quote": x.quote} for x in term.citations],
                "readings": [{"question": self.plain(a.question), "reading": self.plain(a.reading)}
                             for a in term.ambiguities]}

    def provision_text(self, w: m.Window) -> str | None:
        return self._window_words(w)[1]

    def _window_words(self, w: m.Window) -> tuple[str, str | None]:
        """A window's text (with what happens after its end) and its provision's, once per window."""
        known = self._windows.get(id(w))
        if known is None or known[0] is not w:
            text = self.window_text(w)
            if w.end is not None:
                text += ("，" if self.lang == "zh" else "; ") + self.t(f"eval.after_end.{w.after_end}")
            provision = None
            if w.provision is not None:
                provision = self.provision(w.provision)
            known = self._windows[id(w)] = (w, (text, provision))
        return known[1]

    def reasons(self, result: ClauseResult, trial: dict | None = None) -> list[dict]:
        reasons = [self.reason(r) for r in result.reasons]
        if terms.shown_as(result.status, result.clause.kind) == "inapplicable":
            reasons.insert(0, {"kind": "inapplicable", "message": self.t("eval.inapplicable")})
        if trial is not None:  # every format lists it: inside and after the trial, apart
            reasons.append({"kind": "trial_split", "message": trial["text"]})
        return reasons

    def reason(self, reason: Reason) -> dict:
        match reason:
            case RequirementMet(node=node):
                return {"kind": "requirement_met", "condition": node.text,
                        "message": self.t("eval.reason.requirement_met", condition=self.condition(node))}
            case ConditionFailed(node=node, facts=facts, within=within):
                values = _fact_values(node)
                key = "eval.reason.condition_failed_within" if within else "eval.reason.condition_failed"
                negated_fact = isinstance(node.expr, m.Not) and isinstance(node.expr.operand, m.FactRef)
                if node.op == "fact" or negated_fact:  # the fact is the condition: its value says it all
                    key += "_fact"
                elif _states_its_value(node):  # "X不超过0元" where X is 0元: the value adds nothing
                    key += "_plain"
                message = self.t(key, condition=self.condition(node), facts=self.facts_text(facts, node),
                                 within=" › ".join(self.policy.label(d) for d in within))
                return {"kind": "condition_failed", "condition": node.text, "within": list(within),
                        "facts": {f: _json(values.get(f)) for f in facts}, "message": message}
            case ConditionUnknown(node=node, facts=facts):
                return {"kind": "condition_unknown", "condition": node.text, "facts": list(facts),
                        "message": self.t("eval.reason.condition_unknown", facts=self._labels(facts))}
            case AmountFactMissing(role=role, name=name, facts=facts):
                return {"kind": "amount_fact_missing", "role": role, "name": name, "facts": list(facts),
                        "message": self.t(f"eval.reason.{role}_missing", name=self.policy.label(name),
                                          facts=self._labels(facts))}
            case OutOfWindow(which=which, date=date, window=w):
                message = self.t(f"eval.reason.{which}", date=date.isoformat(), window=self.window_text(w))
                provision = self.provision_text(w)
                if provision:
                    message += ("；" if self.lang == "zh" else "; ") + provision
                return {"kind": "not_in_force", "which": which, "date": date.isoformat(),
                        "window": self.window(w), "message": message}
            case ScheduleCut(dropped=dropped, window=w):
                key = "eval.reason.schedule_cut" if dropped else "eval.reason.schedule_cut_open"
                message = self.t(key, end=w.end.isoformat(), dropped=dropped)
                provision = self.provision_text(w)
                if provision:
                    message += ("；" if self.lang == "zh" else "; ") + provision
                return {"kind": "schedule_cut", "dropped": dropped, "cut_at": w.end.isoformat(),
                        "window": self.window(w), "message": message}
            case ContinuingStopped(node=node, start=start, count=count):
                sep = "；" if self.lang == "zh" else "; "
                condition = sep.join(self.condition(f.node) for f in failures(node)) if node.value is False \
                    else self.words.continuing(node.expr)
                key = "eval.reason.continuing_stopped" if start else "eval.reason.continuing_stopped_undated"
                return {"kind": "continuing_stopped", "condition": node.text,
                        "start": start.isoformat() if start else None, "count": count,
                        "message": self.t(key, condition=condition, count=count,
                                          date=start.isoformat() if start else "")}
            case PeriodsUndetermined(count=count, facts=facts):
                return {"kind": "periods_undetermined", "count": count, "facts": list(facts),
                        "message": self.t("eval.reason.periods_undetermined", count=count,
                                          facts=self._labels(facts))}
            case ExcludedBy(clause=winner, value=value, winner_value=winner_value, tie=tie):
                message = self.t("eval.reason.excluded_by", clause=self.policy.label(winner),
                                 value=yuan(value, self.lang), winner_value=yuan(winner_value, self.lang))
                if tie:
                    message += ("；" if self.lang == "zh" else "; ") + self.t("eval.reason.tie")
                provision = self.policy.info.principle_provision
                if provision is not None:
                    message += ("；" if self.lang == "zh" else "; ") + self.provision(provision)
                return {"kind": "excluded_by", "clause": winner, "value": _money(value),
                        "winner_value": _money(winner_value), "tie": tie, "message": message}
            case KeptAlongside(clauses=clauses):
                names = ("、" if self.lang == "zh" else ", ").join(
                    ("“" + self.policy.label(c) + "”") if self.lang == "zh" else f"'{self.policy.label(c)}'"
                    for c in clauses)
                return {"kind": "kept_alongside", "clauses": list(clauses),
                        "message": self.t("eval.reason.kept_alongside", clauses=names)}
        raise TypeError(f"unknown reason {reason!r}")

    def provision(self, citation: m.Citation) -> str:
        """The sentence a reason rests on, with its section when the encoding places it."""
        if not citation.section:
            return self.t("eval.reason.provision_unplaced", quote=citation.quote)
        return self.t("eval.reason.provision", section=citation.section, quote=citation.quote)

    def _labels(self, facts: tuple[str, ...]) -> str:
        sep = "、" if self.lang == "zh" else ", "
        return sep.join(self.policy.facts[f].label for f in facts) or self.t("eval.none")

    # ---- the trace ------------------------------------------------------------------
    def trace(self, node: TraceNode, masked: bool = False) -> dict:
        """A trace node; `masked` marks a child that does not decide its parent's value."""
        children = []
        if node.children:
            deciding = {id(c) for c in node.decisive()}
            children = [self.trace(c, id(c) not in deciding) for c in node.children]
        value_text = self.node_value(node)
        return {
            "op": node.op,
            "text": node.text,
            "name": node.name,
            "label": node.label,
            "value": _json(node.value),
            "value_text": value_text,
            "sentence": self.sentence(node, value_text),
            "masked": masked,
            "children": children,
        }

    # ---- clauses and questions --------------------------------------------------------
    def clause(self, result: ClauseResult) -> dict:
        c = result.clause
        # Only a granted clause paying cash is owed anything: an excluded one shows its
        # amount, not a timeline; an entitlement's amount (a guarantee's size) is not paid.
        line = result.timeline if result.status is m.Status.GRANTED and c.pays_money else None
        trial = self.trial(result)
        return {
            "id": c.id,
            "title": c.title,
            "type": c.kind,
            "status": result.status.value,
            "shown_as": terms.shown_as(result.status, c.kind),
            "status_text": terms.status(terms.shown_as(result.status, c.kind), self.lang),
            "payout_shown": terms.shows_payout(result.status),
            "discretionary": c.discretionary,
            "own_balance": c.own_balance,
            "channel": c.channel,
            "grants": c.grants,
            "existing": c.existing,
            "clause": {
                "ref": c.ref,
                "section_title": c.section_title,
                "policy": c.policy,
                "quote": c.quote,
                "citations": [{"section": x.section, "quote": x.quote, "source_line": x.source_line}
                              for x in c.citations],
            },
            "rate_text": self.rate_text(c),
            "amount": self.payout(result.amount, line, c.continuing is not None, c.discretionary),
            "continuing": None if c.continuing is None else {
                "condition": c.continuing.text, "text": self.words.continuing(c.continuing)},
            "timeline": self.timeline(line, None if c.continuing is None else self.words.continuing(c.continuing), c),
            "entitlement_date": result.entitlement_date.isoformat() if result.entitlement_date else None,
            "excluded_by": result.excluded_by,
            "missing_facts": list(result.missing_facts),
            "reasons": self.reasons(result, trial),
            "trial": trial,
            "window": self.window(c.window),
            "term": self.term(self.policy.term_of(c), result),
            "readings": [{"question": self.plain(a.question), "reading": self.plain(a.reading),
                          "source": {"question": a.question, "reading": a.reading}} for a in c.ambiguities],
            "notes": list(c.notes),
            "trace": self.trace(result.trace),
        }

    def rate_text(self, c: m.Clause) -> str:
        """The clause's amount as its rule states it, once per clause."""
        known = self._rates.get(id(c))
        if known is None or known[0] is not c:
            spec = c.amount
            known = self._rates[id(c)] = (c, describe_amount(
                spec, self.lang, self.policy.label(spec.per_head) if spec.per_head else None,
                self.policy.label(spec.fact) if spec.fact else None))
        return known[1]

    def question(self, q: Question) -> dict:
        fact = self.policy.facts[q.fact]
        sep = "、" if self.lang == "zh" else ", "
        clauses = [self.policy.clause(c) for c in q.clauses]
        stake = []
        if q.stake:
            stake.append(self.t("eval.stake_money", amount=yuan(q.stake, self.lang)))
        if q.entitlements:
            stake.append(self.t("eval.stake_entitlements", count=q.entitlements))
        section = self.policy.sections.get(q.topic)
        return {
            "fact": q.fact,
            "label": fact.label,
            "question": fact.question or fact.label,
            "type": fact.type.value,
            "members": [{"name": x.name, "label": x.label} for x in fact.members],
            "clauses": list(q.clauses),
            "stake": _money(q.stake),
            "entitlements": q.entitlements,
            "topic": q.topic,
            "topic_text": f"{q.topic} {section.title}" if section else q.topic,
            "stake_text": sep.join(stake),
            "decides_text": self.t("eval.asked_by", clauses=sep.join(c.title for c in clauses)),
        }


def _states_its_value(node: TraceNode) -> bool:
    """A comparison of one fact with a constant, failed because the fact has exactly that
    value: the condition's sentence already says what the fact is."""
    if node.op != "cmp" or len(node.children) != 2:
        return False
    kinds = {child.op for child in node.children}
    return kinds == {"fact", "const"} and node.children[0].value == node.children[1].value


def _fact_values(node: TraceNode) -> dict:
    values = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if n.op == "fact":
            values[n.name] = n.value
        stack.extend(n.children)
    return values
