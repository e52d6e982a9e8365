"""What a run of policy tests exercises: clauses, exclusion groups and condition atoms.

* Clause coverage — per clause, how many tests found it granted, excluded, ineligible,
  undetermined or not in force. A clause is *covered* when some test grants it and some
  test denies it (ineligible, excluded or not in force): only then has a test shown both
  that it pays and that it does not pay to everyone. The percentage is covered clauses
  over all clauses of the policy; `--min-coverage` compares with it.
* Condition coverage (a light MC/DC) — the atoms of each clause's requirement (the
  comparisons, memberships and yes/no facts, with definitions expanded), each of which
  should be seen both true and false by some test.
* Exclusion groups — per group, how many tests granted a member, how many had two or
  more members pass their requirement at once (the group had to decide), and how many
  excluded one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.backends.evaluator.results import TraceNode
from qzdsl.model.policy import Status
from qzdsl.testing.runner import PolicyTestRun

DENIED = (Status.INELIGIBLE, Status.EXCLUDED, Status.NOT_IN_FORCE)


@dataclass(frozen=True)
class ClauseCoverage:
    clause: m.Clause
    granted: int
    excluded: int
    ineligible: int
    undetermined: int
    not_in_force: int

    @property
    def touched(self) -> bool:
        return self.granted + self.excluded + self.ineligible + self.undetermined + self.not_in_force > 0

    @property
    def denied(self) -> int:
        return self.excluded + self.ineligible + self.not_in_force

    @property
    def covered(self) -> bool:
        return self.granted > 0 and self.denied > 0


@dataclass(frozen=True)
class AtomCoverage:
    """One condition atom of a clause. `path` is the child indexes leading to it from the
    clause's requirement (the evaluator's trace has the same shape); `within` names the
    definitions it sits in, outermost first."""

    clause: str
    path: tuple[int, ...]
    text: str
    within: tuple[str, ...]
    seen_true: int
    seen_false: int
    expr: m.Expr | None = field(default=None, compare=False, repr=False)  # what a report phrases

    @property
    def covered(self) -> bool:
        return self.seen_true > 0 and self.seen_false > 0


@dataclass(frozen=True)
class GroupCoverage:
    group: str
    members: tuple[str, ...]
    granted: int  # tests granting (or excluding) at least one member
    contested: int  # tests where two or more members passed their requirement
    excluded: int  # tests where a member was excluded

    @property
    def exercised(self) -> bool:
        return self.granted > 0


@dataclass(frozen=True)
class Coverage:
    clauses: tuple[ClauseCoverage, ...]
    atoms: tuple[AtomCoverage, ...]
    groups: tuple[GroupCoverage, ...]
    policy: m.Policy | None = field(default=None, compare=False, repr=False)  # whose labels a report shows

    @property
    def clause_percent(self) -> Decimal:
        return _percent(sum(1 for c in self.clauses if c.covered), len(self.clauses))

    @property
    def atom_percent(self) -> Decimal:
        return _percent(sum(1 for a in self.atoms if a.covered), len(self.atoms))

    def untouched(self) -> tuple[str, ...]:
        """Clauses no test decides at all."""
        return tuple(c.clause.id for c in self.clauses if not c.touched)

    def meets(self, minimum: Decimal) -> bool:
        """Whether clause coverage reaches `minimum` percent (compared exactly)."""
        covered = sum(1 for c in self.clauses if c.covered)
        return covered * 100 >= minimum * len(self.clauses)


def _percent(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(100)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def coverage(run: PolicyTestRun) -> Coverage:
    policy = run.policy
    decisions = [r.decision for r in run.results]
    statuses: dict[str, list[Status]] = {c.id: [] for c in policy.clauses}
    traces: dict[str, list[TraceNode]] = {c.id: [] for c in policy.clauses}
    for decision in decisions:
        for result in decision.results:
            statuses[result.clause.id].append(result.status)
            traces[result.clause.id].append(result.trace)

    clauses = tuple(
        ClauseCoverage(c, *(statuses[c.id].count(s) for s in (Status.GRANTED, Status.EXCLUDED, Status.INELIGIBLE,
                                                                Status.UNDETERMINED, Status.NOT_IN_FORCE)))
        for c in policy.clauses
    )
    atoms = tuple(
        AtomCoverage(c.id, path, _text(expr), within, *_seen(traces[c.id], path), expr=expr)
        for c in policy.clauses
        for path, expr, within in condition_atoms(policy, c.eligibility, c.beneficiary)
    )
    return Coverage(clauses, atoms, _groups(policy, decisions), policy)


def condition_atoms(policy: m.Policy, expr: m.Expr, kind: str | None, path: tuple[int, ...] = (),
                    within: tuple[str, ...] = ()) -> list[tuple[tuple[int, ...], m.Expr, tuple[str, ...]]]:
    """The atoms of a requirement, for an applicant of `kind`, as (path, expression,
    within), definitions expanded.

    Connectives (and, or, not), definitions and equivalences are looked through; what
    remains — a comparison, a membership, a yes/no fact or constant — is an atom. An
    equivalence for another kind of applicant is false for this one and has no atoms.
    """
    match expr:
        case m.And(operands=operands) | m.Or(operands=operands):
            return [atom for i, o in enumerate(operands)
                    for atom in condition_atoms(policy, o, kind, path + (i,), within)]
        case m.Via(operand=operand) as via:
            if not via.applies_to(kind):
                return []
            return condition_atoms(policy, operand, kind, path + (0,), within)
        case m.Not(operand=operand):
            return condition_atoms(policy, operand, kind, path + (0,), within)
        case m.DefRef(name=name):
            return condition_atoms(policy, policy.definitions[name].expr, kind, path + (0,), within + (name,))
    return [(path, expr, within)]


def _text(expr: m.Expr) -> str:
    """An atom as the policy writes it (the JSON report's `text`)."""
    if expr.text:
        return expr.text
    match expr:
        case m.FactRef(name=name):
            return name
        case m.Const(value=value):
            return str(value)
    return type(expr).__name__


def _seen(traces: list[TraceNode], path: tuple[int, ...]) -> tuple[int, int]:
    true = false = 0
    for trace in traces:
        node = _follow(trace, path)
        if node is not None:
            true += node.value is True
            false += node.value is False
    return true, false


def _follow(node: TraceNode, path: tuple[int, ...]) -> TraceNode | None:
    """The trace node at `path`; None where the evaluator did not look (an equivalence
    for another kind of applicant has no sub-tree)."""
    for index in path:
        if index >= len(node.children):
            return None
        node = node.children[index]
    return node


def _groups(policy: m.Policy, decisions) -> tuple[GroupCoverage, ...]:
    members: dict[str, list[str]] = {}
    for clause in policy.clauses:
        for group in clause.groups:
            members.setdefault(group, []).append(clause.id)
    result = []
    for group in sorted(members):
        names = set(members[group])
        granted = contested = excluded = 0
        for decision in decisions:
            passing = [r for r in decision.results if r.clause.id in names
                       and r.status in (Status.GRANTED, Status.EXCLUDED)]
            granted += bool(passing)
            contested += len(passing) >= 2
            excluded += any(r.status is Status.EXCLUDED for r in passing)
        result.append(GroupCoverage(group, tuple(members[group]), granted, contested, excluded))
    return tuple(result)
