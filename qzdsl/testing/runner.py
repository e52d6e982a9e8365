"""Run policy tests: decide each test's case and compare the decision with what the test
expects, clause by clause. The results are plain data; `qzdsl.reports.testing` renders
them (text, JSON, JUnit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qzdsl.model import policy as m
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.testing.spec import Amount, Check, PolicyTest, load_tests
from qzdsl.backends.evaluator.schedule import trial_split
from qzdsl.backends.evaluator.results import ClauseResult, Decision, OutOfWindow
from qzdsl.model.policy import Status


@dataclass(frozen=True)
class Mismatch:
    """One expectation the decision does not meet. `clause` is None for the totals and
    the questions; `check` is the expectation as written (its field and its place)."""

    clause: str | None
    check: Check
    got: object

    @property
    def field(self) -> str:
        return self.check.field

    @property
    def expected(self) -> object:
        return self.check.expected


@dataclass(frozen=True)
class PolicyTestResult:
    test: PolicyTest
    decision: Decision
    mismatches: tuple[Mismatch, ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def failing_clauses(self) -> tuple[str, ...]:
        """The clauses some mismatch is about, in the order of the decision."""
        named = {x.clause for x in self.mismatches}
        return tuple(r.clause.id for r in self.decision.results if r.clause.id in named)


@dataclass(frozen=True)
class PolicyTestRun:
    policy: m.Policy
    results: tuple[PolicyTestResult, ...]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0


def run_paths(policy: m.Policy, paths: list[Path]) -> PolicyTestRun:
    """Load the tests under `paths` and run them (raises `QzError` on an invalid file)."""
    return run_tests(policy, load_tests(paths, policy))


def run_tests(policy: m.Policy, tests: tuple[PolicyTest, ...]) -> PolicyTestRun:
    return PolicyTestRun(policy, tuple(run_test(policy, test) for test in tests))


def run_test(policy: m.Policy, test: PolicyTest) -> PolicyTestResult:
    decision = evaluate(policy, test.case, test.as_of)
    by_id = {r.clause.id: r for r in decision.results}
    mismatches: list[Mismatch] = []
    for expectation in test.clauses:
        result = by_id[expectation.clause]
        for check in expectation.checks:
            got = clause_value(result, check.field)
            if not _same(check.expected, got):
                mismatches.append(Mismatch(expectation.clause, check, got))
    for check in test.decision_checks:
        got = decision_value(decision, check.field)
        if not _same(check.expected, got):
            mismatches.append(Mismatch(None, check, got))
    if test.exhaustive:
        listed = {e.clause for e in test.clauses}
        for result in decision.results:
            if result.clause.id not in listed and result.status is not Status.INELIGIBLE:
                check = Check("status", Status.INELIGIBLE.value, test.exhaustive_span or test.span)
                mismatches.append(Mismatch(result.clause.id, check, result.status.value))
    return PolicyTestResult(test, decision, tuple(mismatches))


def _same(expected: object, got: object) -> bool:
    if isinstance(expected, frozenset):
        return expected == frozenset(got or ())
    return expected == got


def clause_value(result: ClauseResult, field: str) -> object:
    """The value of one expectation field in a clause's result, in the form the test
    file's expectation is read into."""
    payout = result.amount
    match field:
        case "status":
            return result.status.value
        case "excluded_by":
            return result.excluded_by
        case "missing":
            return result.missing_facts
        case "window":
            return next((r.which for r in result.reasons if isinstance(r, OutOfWindow)), None)
    if payout is None:
        return None
    match field:
        case "amount":
            return Amount(payout.low, payout.high)
        case "total":
            # What it pays under the facts given, as the reports say it (`amount.total`):
            # over the periods that pay when they were judged one by one.
            line = result.timeline
            if line is not None and line.states is not None and result.status is Status.GRANTED:
                return None if line.future is None else Amount(*line.total)
            return None if payout.open_ended else Amount(payout.total_low, payout.total_high)
        case "heads":
            return payout.heads
        case "periods":
            return len(payout.periods)
        case "starts":
            return payout.periods[0].start if payout.periods else None
        case "ends":
            return payout.periods[-1].end if payout.periods else None
        case "open_ended":
            return payout.open_ended
        case "inside_trial" | "after_trial":
            # The periods starting inside / after the section's trial (None: the schedule
            # does not run past the trial's end).
            split = trial_split(result.clause, payout,
                                result.timeline if result.status is Status.GRANTED else None)
            if split is None:
                return None
            part = split.inside if field == "inside_trial" else split.after
            return Amount(part.low, part.high)
    line = result.timeline
    match field:
        case "paid" | "due" | "projected":
            return None if line is None else Amount(*getattr(line, field))
        case "stopped" | "undetermined":
            return None if line is None else getattr(line, field)
    raise ValueError(f"unknown expectation field {field!r}")


def decision_value(decision: Decision, field: str) -> object:
    if field == "questions":
        return decision.questions
    totals = decision.totals
    return {"totals.granted": totals.granted, "totals.low": totals.low, "totals.high": totals.high,
            "totals.value": totals.value, "totals.open_ended": totals.open_ended,
            "totals.own_balance": totals.own_balance, "totals.paid": Amount(*totals.paid),
            "totals.due": Amount(*totals.due), "totals.projected": Amount(*totals.projected)}[field]
