"""Asking only the questions still needed: the state of an interview, shared by
`qzdsl interview` (the terminal) and `qzdsl serve` (the web form and `/v1/questions`).

An interview holds the applicant's kind, the evaluation date, the facts answered so far
and those the person said they do not know. After every answer the case is evaluated
again; the questions still needed are the facts that some undetermined clause still
depends on, ordered by what they decide (`backends.evaluator.questions`: the question
deciding the most money first), less those answered "不知道". Answers are read by the
one reader of fact values (`cases.values`), so the terminal, the form and a case file
accept the same spellings and refuse the same ambiguities.

    >>> import qzdsl, datetime as dt
    >>> talk = Interview(qzdsl.load(), "person", dt.date(2024, 6, 1))
    >>> question = talk.next_question()
    >>> talk.answer(question.fact, "是")                  # doctest: +SKIP
    >>> talk.progress("zh").granted                       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.backends.evaluator.questions import Question, questions
from qzdsl.backends.evaluator.results import Decision, Status
from qzdsl.cases.case import Case, FactValue
from qzdsl.cases.values import Refused, looks_dated, read_changes, read_fact
from qzdsl.model import policy as m

# What a person types for "I don't know" (the fact stays unknown and is not asked again).
DONT_KNOW = ("不知道", "不清楚", "不确定", "?", "？", "unknown", "don't know", "dont know")


@dataclass(frozen=True)
class Settled:
    """One clause as the progress shows it: its title, reference and what it pays."""

    id: str
    title: str
    ref: str
    amount: str


@dataclass(frozen=True)
class Progress:
    """What is settled and what is still open after the answers so far."""

    granted: tuple[Settled, ...]
    ineligible: int
    not_in_force: int
    open: tuple[Settled, ...]
    total: str  # the granted clauses' lifetime total, worded


@dataclass
class Interview:
    """A case being built by answering questions. `facts` are the answers (typed values),
    `unknown` the facts answered "不知道"; `changes` the facts answered with values over
    time (`2024-05-01: 4, 2026-01-01: 5`, as a case file's `{date: value}`: a fact is in
    `facts` or in `changes`, never both); `history` the order they were given in, so that
    `back` can take the last one back."""

    policy: m.Policy
    kind: str
    as_of: dt.date
    facts: dict[str, FactValue] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    name: str | None = None
    history: list[str] = field(default_factory=list)
    changes: dict[str, tuple[tuple[dt.date, FactValue | None], ...]] = field(default_factory=dict)

    @staticmethod
    def resume(policy: m.Policy, case: Case, as_of: dt.date | None = None) -> "Interview":
        """Go on from a (partial) case: its facts, plain or over time, are answers, its
        absent facts open."""
        return Interview(policy, case.kind, as_of or case.as_of or dt.date.today(), dict(case.facts),
                         name=case.name, changes=dict(case.changes))

    # ---- the case and its decision -------------------------------------------------------

    def case(self) -> Case:
        return Case(self.kind, dict(self.facts), self.as_of, self.name, changes=dict(self.changes))

    def answered(self, fact: str) -> bool:
        """Whether `fact` has an answer: a value, values over time, or "不知道"."""
        return fact in self.facts or fact in self.changes or fact in self.unknown

    def decision(self) -> Decision:
        return evaluate(self.policy, self.case(), self.as_of)

    def questions(self) -> tuple[Question, ...]:
        """The questions still needed, the one deciding the most first."""
        return tuple(q for q in questions(self.decision()) if q.fact not in self.unknown and q.fact not in self.changes)

    def next_question(self) -> Question | None:
        found = self.questions()
        return found[0] if found else None

    # ---- answering ---------------------------------------------------------------------------

    def answer(self, fact: str, text: object) -> FactValue | tuple | None:
        """Record an answer to `fact`, read like any other value, or as values over time
        (`2024-05-01: 4, 2026-01-01: 5`: the entries are returned); "不知道" leaves the
        fact unknown and not asked again. Raises `Refused` (nothing recorded) when the
        answer is not a value of the fact."""
        declared = self.policy.facts[fact]
        dont_know = isinstance(text, str) and text.strip().casefold() in DONT_KNOW
        dated = not dont_know and looks_dated(text)
        value = None if dont_know else read_changes(declared, text, DONT_KNOW) if dated else read_fact(declared, text)
        self.facts.pop(fact, None)  # read without refusal: the new answer replaces the old one
        self.changes.pop(fact, None)
        self.unknown.discard(fact)
        if dont_know:
            self.unknown.add(fact)
        elif dated:
            self.changes[fact] = value
        else:
            self.facts[fact] = value
        if fact in self.history:
            self.history.remove(fact)
        self.history.append(fact)
        return value

    def back(self) -> str | None:
        """Take the last answer back (the fact becomes open again); its name, or None."""
        if not self.history:
            return None
        fact = self.history.pop()
        self.facts.pop(fact, None)
        self.changes.pop(fact, None)
        self.unknown.discard(fact)
        return fact

    # ---- showing -------------------------------------------------------------------------------

    def progress(self, lang: str = "zh") -> Progress:
        return progress(self.decision(), lang)

    def case_data(self) -> dict:
        """The case as a case file holds it: dates as dates, money in its one JSON form."""
        from qzdsl.money import to_json

        data: dict = {}
        if self.name:
            data["name"] = self.name
        data["kind"] = self.kind
        data["as_of"] = self.as_of
        def plain(value):
            return to_json(value) if isinstance(value, Decimal) else value

        facts = {name: plain(value) for name, value in self.facts.items()}
        facts |= {name: {date: None if value is None else plain(value) for date, value in entries}
                  for name, entries in self.changes.items()}
        data["facts"] = dict(sorted(facts.items()))
        return data


def progress(decision: Decision, lang: str = "zh") -> Progress:
    """Settled (granted, ineligible, not in force) and open clauses of a decision, worded
    as the eval report words them."""
    from qzdsl.reports.eval.json import record

    shown = record(decision, lang)
    clauses = {c["id"]: c for c in shown["clauses"]}

    def of(status: Status) -> tuple[Settled, ...]:
        return tuple(Settled(r.clause.id, clauses[r.clause.id]["title"], clauses[r.clause.id]["clause"]["ref"],
                             _amount(clauses[r.clause.id]))
                     for r in decision.by_status(status))

    return Progress(of(Status.GRANTED), len(decision.by_status(Status.INELIGIBLE)),
                    len(decision.by_status(Status.NOT_IN_FORCE)), of(Status.UNDETERMINED), shown["totals"]["text"])


def _amount(clause: dict) -> str:
    """What a clause pays, as the report words it: the computed amount when there is one."""
    return (clause.get("amount") or {}).get("text") or clause.get("rate_text") or ""


def case_yaml(data: dict) -> str:
    """A case file's text (from `Interview.case_data`): the keys in their documented order,
    Chinese kept as written, dates unquoted."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


__all__ = ["DONT_KNOW", "Interview", "Progress", "Refused", "Settled", "case_yaml", "progress"]
