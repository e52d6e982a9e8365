"""Change impact of an amendment (`qzdsl diff OLD NEW`): what changed clause by clause,
and for every clause whose outcome can change, a concrete applicant treated differently —
or a proof that no such applicant exists.

Both versions are translated into one z3 context whose facts are shared where the two
versions declare the same fact (same name, type and members), so that one question can
speak of both: "is there a case and a date for which this clause applies under one
version and not under the other?" (its eligibility changed), and, where the amount, the
cadence, the duration or the reading after the trial changed, "is there one for which it
applies under both?" (it then pays differently). A satisfiable answer gives a witness,
which is evaluated under both versions (`replay`) so that the report shows the two
verdicts side by side; an unsatisfiable one is a proof. Facts a version lacks are left
out of its case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

import z3

from qzdsl.backends.audit.smt import ClauseFormula, Translator, date_key
from qzdsl.backends.audit.witness import FactValue, Witness
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.backends.evaluator.results import ClauseResult
from qzdsl.cases.case import case_from_dict
from qzdsl.interrupt import check_z3_reason
from qzdsl.model import policy as m

# How long one question may take before it is reported as undecided.
TIMEOUT_MS = 10_000
# Witness dates are sought first within this many years of the later version's start.
NEAR_YEARS = 12


class Aspect(str, Enum):
    """What about a clause changed; also the order the report lists them in."""

    ADDED = "added"
    REMOVED = "removed"
    TITLE = "title"
    BENEFICIARY = "beneficiary"
    CONDITION = "condition"
    AMOUNT = "amount"
    CADENCE = "cadence"
    DURATION = "duration"
    WINDOW = "window"
    AFTER_END = "after_end"
    GROUP = "group"
    DISCRETION = "discretion"
    CITATION = "citation"


# Aspects that change what a clause pays an applicant it applies to under both versions.
_PAYS_DIFFERENTLY = frozenset({Aspect.AMOUNT, Aspect.CADENCE, Aspect.DURATION, Aspect.AFTER_END})


class Impact(str, Enum):
    """What the solver found about the clause's outcome."""

    DIFFERS = "differs"  # a witness: someone is treated differently
    SAME = "same"  # proved: nobody is treated differently
    UNDECIDED = "undecided"  # the solver gave up within its time


@dataclass(frozen=True)
class Change:
    aspect: Aspect
    old: object = None  # the model's value under each version (for the report to word)
    new: object = None


@dataclass(frozen=True)
class Replay:
    """The witness evaluated under each version (None: the clause is not in that version)."""

    old: ClauseResult | None
    new: ClauseResult | None

    @property
    def differs(self) -> bool:
        def outcome(result: ClauseResult | None):
            if result is None:
                return None
            paid = result.amount
            money = None if paid is None else (paid.low, paid.high, paid.count, paid.total_low, paid.total_high)
            return result.status, money

        return outcome(self.old) != outcome(self.new)


@dataclass(frozen=True)
class ClauseDiff:
    id: str
    old: m.Clause | None
    new: m.Clause | None
    changes: tuple[Change, ...]
    impact: Impact
    question: str = ""  # "eligibility" or "payment": what the witness shows
    witness: Witness | None = None
    replay: Replay | None = None

    @property
    def clause(self) -> m.Clause:
        return self.new or self.old


@dataclass(frozen=True)
class PolicyDiff:
    old: m.Policy
    new: m.Policy
    clauses: tuple[ClauseDiff, ...]  # the clauses that changed in text or in outcome

    @property
    def outcome_changes(self) -> bool:
        return any(c.impact is not Impact.SAME for c in self.clauses)

    @property
    def proved_same(self) -> bool:
        """No applicant, on any date, is treated differently by the two versions."""
        return not self.outcome_changes


def diff(old: m.Policy, new: m.Policy, timeout_ms: int = TIMEOUT_MS) -> PolicyDiff:
    """Compare two versions of a policy clause by clause (see the module docstring)."""
    old_t = Translator(old)
    new_t = Translator(new, like=old_t)
    solver = _Solver(old_t, new_t, timeout_ms)
    old_clauses = {c.id: c for c in old.clauses}
    new_clauses = {c.id: c for c in new.clauses}
    found = []
    for clause_id in [*old_clauses, *(c for c in new_clauses if c not in old_clauses)]:
        before, after = old_clauses.get(clause_id), new_clauses.get(clause_id)
        changes = _changes(before, after)
        found_diff = solver.compare(clause_id, before, after, changes)
        if changes or found_diff.impact is not Impact.SAME:
            found.append(found_diff)
    return PolicyDiff(old, new, tuple(found))


def _changes(old: m.Clause | None, new: m.Clause | None) -> tuple[Change, ...]:
    if old is None:
        return (Change(Aspect.ADDED, None, new),)
    if new is None:
        return (Change(Aspect.REMOVED, old, None),)
    found = []

    def compare(aspect: Aspect, a, b) -> None:
        if a != b:
            found.append(Change(aspect, a, b))

    compare(Aspect.TITLE, old.title, new.title)
    compare(Aspect.BENEFICIARY, old.beneficiary, new.beneficiary)
    compare(Aspect.CONDITION, old.eligibility, new.eligibility)
    a, b = old.amount, new.amount
    compare(Aspect.AMOUNT, (a.kind, a.low, a.high, a.per_head, a.cap, a.cap_scope, a.rule),
            (b.kind, b.low, b.high, b.per_head, b.cap, b.cap_scope, b.rule))
    compare(Aspect.CADENCE, a.cadence, b.cadence)
    compare(Aspect.DURATION, (a.max_periods, a.anchor, a.calendar_year), (b.max_periods, b.anchor, b.calendar_year))
    compare(Aspect.WINDOW, (old.window.start, old.window.end), (new.window.start, new.window.end))
    compare(Aspect.AFTER_END, old.window.after_end, new.window.after_end)
    compare(Aspect.GROUP, (old.groups, old.excludes, old.stackable), (new.groups, new.excludes, new.stackable))
    compare(Aspect.DISCRETION, old.discretionary, new.discretionary)
    compare(Aspect.CITATION, tuple(c.quote for c in old.citations), tuple(c.quote for c in new.citations))
    # The model's values are kept for the report; they are compared as above.
    return tuple(_with_values(c, old, new) for c in found)


def _with_values(change: Change, old: m.Clause, new: m.Clause) -> Change:
    """A change carrying what a reader needs: amounts as the amount spec, windows as windows."""
    match change.aspect:
        case Aspect.AMOUNT | Aspect.CADENCE | Aspect.DURATION:
            return Change(change.aspect, old.amount, new.amount)
        case Aspect.WINDOW | Aspect.AFTER_END:
            return Change(change.aspect, old.window, new.window)
        case Aspect.CITATION:
            return Change(change.aspect, old.citations, new.citations)
    return change


class _Solver:
    """The questions about one pair of versions, on one z3 solver in the shared context."""

    def __init__(self, old: Translator, new: Translator, timeout_ms: int):
        self.old, self.new = old, new
        self.solver = z3.Solver(ctx=new.ctx)
        self.solver.set("timeout", timeout_ms)
        self.solver.add(new.as_of.valid())

    def compare(self, clause_id: str, old: m.Clause | None, new: m.Clause | None,
                changes: tuple[Change, ...]) -> ClauseDiff:
        f_old = self.old.clause(old) if old is not None else None
        f_new = self.new.clause(new) if new is not None else None
        applies_old = f_old.body if f_old is not None else z3.BoolVal(False, self.new.ctx)
        applies_new = f_new.body if f_new is not None else z3.BoolVal(False, self.new.ctx)
        kind = (new or old).beneficiary
        formulas = [f for f in (f_old, f_new) if f is not None]
        question, answer = "eligibility", self._ask(applies_old != applies_new, formulas, kind, new or old)
        if answer is False and {c.aspect for c in changes} & _PAYS_DIFFERENTLY:
            question, answer = "payment", self._ask(z3.And(applies_old, applies_new), formulas, kind, new or old)
        if answer is None:
            return ClauseDiff(clause_id, old, new, changes, Impact.UNDECIDED)
        if answer is False:
            return ClauseDiff(clause_id, old, new, changes, Impact.SAME)
        witness = answer
        return ClauseDiff(clause_id, old, new, changes, Impact.DIFFERS, question, witness,
                          _replay(witness, clause_id, self.old.policy, self.new.policy))

    def _ask(self, question: z3.BoolRef, formulas: list[ClauseFormula], kind: str | None,
             clause: m.Clause) -> Witness | bool | None:
        """A witness when `question` can hold, False when it cannot, None when undecided."""
        facts = self._facts(kind)
        support = [f.support for f in formulas] + [self._domain(name) for name in facts]
        near = self._near()
        recent = [f.recent for f in formulas]  # the case's dates shortly before its as-of date
        for wishes in ([near, *recent], [near], []):  # a plausible case first; any case decides
            self.solver.push()
            try:
                self.solver.add(*support, question, *wishes)
                answer = self.solver.check()
                if answer == z3.sat:
                    return self._witness(self.solver.model(), clause, kind, facts)
                if answer == z3.unknown:
                    check_z3_reason(self.solver.reason_unknown())
                    if not wishes:
                        return None
            finally:
                self.solver.pop()
        return False

    def _near(self) -> z3.BoolRef:
        start = min(self.old.policy.info.applies_from, self.new.policy.info.applies_from)
        end = dt.date(start.year + NEAR_YEARS, 12, 31)
        key = self.new.as_of.key
        return z3.And(key >= date_key(start), key <= date_key(end))

    def _facts(self, kind: str | None) -> tuple[str, ...]:
        """Every fact asked of the applicant's kind in either version: the witness answers
        them all, so that the evaluator can decide every clause that competes with this one."""
        names = []
        for translator in (self.old, self.new):
            names += [f.name for f in translator.policy.facts.values() if kind is None or kind in f.kinds]
        return tuple(dict.fromkeys(names))

    def _domain(self, name: str) -> z3.BoolRef:
        translator = self.new if name in self.new.domain else self.old
        return translator.domain[name]

    def _witness(self, model: z3.ModelRef, clause: m.Clause, kind: str | None, facts: tuple[str, ...]) -> Witness:
        values: list[tuple[str, FactValue]] = []
        for name in sorted(facts):
            translator = self.new if name in self.new.vars else self.old
            values.append((name, _value(translator, model, translator.policy.facts[name])))
        return Witness(f"diff-{clause.id}", kind or "", self.new.as_of.value(model), tuple(values))


def _value(translator: Translator, model: z3.ModelRef, fact: m.Fact) -> FactValue:
    if fact.type is m.Type.DATE:
        return translator.vars[fact.name].value(model)
    raw = model.eval(translator.vars[fact.name], model_completion=True)
    if fact.type is m.Type.BOOL:
        return z3.is_true(raw)
    if fact.type is m.Type.ENUM:
        return fact.members[raw.as_long()].name
    return raw.as_long()


def _replay(witness: Witness, clause_id: str, old: m.Policy, new: m.Policy) -> Replay:
    """The witness evaluated under each version, with the facts that version knows."""
    def result(policy: m.Policy) -> ClauseResult | None:
        if clause_id not in {c.id for c in policy.clauses} or witness.kind not in policy.kinds:
            return None
        data = witness.to_json()
        data["facts"] = {k: v for k, v in data["facts"].items() if k in policy.facts}
        decision = evaluate(policy, case_from_dict(data, policy))
        return decision.result(clause_id)

    return Replay(result(old), result(new))
