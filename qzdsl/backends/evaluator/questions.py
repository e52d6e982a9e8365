"""Which questions to ask next, by what hangs on each answer.

A decision with missing facts leaves clauses undetermined. For every missing fact the
evaluator is run again with each answer the fact can take (a yes/no fact: both; an
enumeration: each member; a number, an amount or a date: the values the policy compares
it with, and either side of them). A clause is *decided by* the fact when some answer
takes it out of 待补充. The question's stake is what those clauses could pay at most (their
favourability value: a lifetime total, a ceiling at the ceiling, one period of an
open-ended grant), and how many non-monetary entitlements they carry.

`questions(decision)` orders the questions by stake, highest first, grouped by topic (the
section of the clause with the most at stake), so the caseworker, the interview and the
web app all ask first the question that decides the most money.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from qzdsl.frozen import frozen
from qzdsl.backends.evaluator.evaluator import evaluate_clauses
from qzdsl.model.derived import derived
from qzdsl.backends.evaluator.results import Decision
from qzdsl.model.policy import Status
from qzdsl.backends.evaluator.schedule import payout
from qzdsl.model import policy as m

_ONE_DAY = dt.timedelta(days=1)
_UNDETERMINED = Status.UNDETERMINED


@frozen(compiled_init=True)
class Question:
    """A missing fact and what its answer decides. `clauses` are the ids of the clauses
    some answer decides, most at stake first; `stake` the most money they can pay;
    `entitlements` how many of them grant something other than money; `topic` the
    section key the question belongs to; `need` its place in the order of first need."""

    fact: str
    clauses: tuple[str, ...]
    stake: Decimal
    entitlements: int
    topic: str
    need: int


def questions(decision: Decision) -> tuple[Question, ...]:
    """The questions of `decision`, ordered by stake within topics ordered by stake."""
    policy = decision.policy
    undetermined = [r.clause.id for r in decision.results if r.status is _UNDETERMINED]
    reads = derived(policy, _reads, lambda: _reads(policy))
    asked = []
    for need, name in enumerate(decision.questions):
        # Only a clause that reads the fact (`Policy.facts_of`) can be decided by it.
        decided = _decided_by(decision, name, {c for c in undetermined if name in reads[c]})
        ranked = sorted(decided, key=lambda c: (-clause_stake(policy.clause(c)), policy.clause(c).order))
        stake = sum((clause_stake(policy.clause(c)) for c in ranked), Decimal(0))
        entitlements = sum(1 for c in ranked if not policy.clause(c).pays_money)
        topic = policy.clause(ranked[0]).section if ranked else ""
        asked.append(Question(name, tuple(ranked), stake, entitlements, topic, need))
    top: dict[str, tuple] = {}
    for q in asked:
        key = (q.stake, q.entitlements, -q.need)
        top[q.topic] = max(top.get(q.topic, key), key)
    return tuple(sorted(asked, key=lambda q: (_desc(top[q.topic]), q.topic, -q.stake, -q.entitlements, q.need)))


def _desc(key: tuple) -> tuple:
    stake, entitlements, need = key
    return -stake, -entitlements, -need


def clause_stake(clause: m.Clause) -> Decimal:
    """The most a clause can pay one applicant (one head where it pays per head): its
    lifetime total at the ceiling, one period when it has no end; 0 when it pays no cash."""
    if not clause.pays_money:
        return Decimal(0)
    paid = payout(clause, 1 if clause.amount.per_head else None, None)
    return paid.value if paid is not None else Decimal(0)


def _decided_by(decision: Decision, name: str, undetermined: set[str]) -> set[str]:
    """The undetermined clauses some answer to `name` decides. Only those clauses are
    evaluated again: 从优 (`resolve`) only turns granted clauses into excluded ones, so it
    never takes a clause out of 待补充 and is left out."""
    decided: set[str] = set()
    for answer in answers(decision.policy, name, decision.as_of):
        case = dataclasses.replace(decision.case, facts={**decision.case.facts, name: answer})
        decided |= {r.clause.id for r in evaluate_clauses(decision.policy, case, decision.as_of, undetermined)
                    if r.status is not _UNDETERMINED}
        if decided == undetermined:
            break
    return decided


def answers(policy: m.Policy, name: str, as_of: dt.date) -> tuple:
    """The answers worth trying for fact `name`: every answer a yes/no or enumeration fact
    can take; for numbers, amounts and dates the values the policy compares the fact
    with, either side of each (and, for dates, either side of every section's window)."""
    fact = policy.facts[name]
    if fact.type is m.Type.BOOL:
        return (True, False)
    if fact.type is m.Type.ENUM:
        return tuple(x.name for x in fact.members)
    found = derived(policy, _compared, lambda: _compared(policy)).get(name, frozenset())
    if fact.type is m.Type.DATE:
        days = {d for d in found if isinstance(d, dt.date)} | {as_of}
        for section in policy.sections.values():
            days |= {section.window.start} | ({section.window.end} if section.window.end else set())
        return tuple(sorted({d + step for d in days for step in (-_ONE_DAY, dt.timedelta(0), _ONE_DAY)}))
    numbers = {Decimal(v) for v in found if isinstance(v, (int, Decimal)) and not isinstance(v, bool)} | {Decimal(0)}
    spread = {n + step for n in numbers for step in (Decimal(-1), Decimal(0), Decimal(1)) if n + step >= 0}
    if fact.type is m.Type.COUNT:
        return tuple(sorted(int(n) for n in spread))
    return tuple(sorted(spread))


def _reads(policy: m.Policy) -> dict[str, frozenset[str]]:
    """For every clause, the facts it reads (once per policy)."""
    return {clause.id: frozenset(policy.facts_of(clause)) for clause in policy.clauses}


def _compared(policy: m.Policy) -> dict[str, frozenset]:
    """For every fact, the constants the policy compares it with (one walk per policy)."""
    found: dict[str, set] = {}
    for expr in _expressions(policy):
        for node in m.walk(expr):
            if isinstance(node, m.Cmp):
                sides = (node.left, node.right)
                constants = {s.value for s in sides if isinstance(s, m.Const)}
                for name in {s.name for s in sides if isinstance(s, m.FactRef)}:
                    found.setdefault(name, set()).update(constants)
    return {name: frozenset(values) for name, values in found.items()}


def _expressions(policy: m.Policy):
    for clause in policy.clauses:
        yield from clause.conditions
    for definition in policy.definitions.values():
        yield definition.expr
