"""The audit in one call: a compiled policy -> an `AuditReport`, plain data the reports render.

Order of work: every clause alone (can it ever apply?), then every candidate pair (can both
be granted to one applicant at one date? — a witness if so, the atoms that clash if not),
then, for pairs that 从优、从高、不重复 resolves, who wins the witness (the evaluator decides)
and whether one clause is dominated. One z3 solver and one translation per clause serve
all of it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import networkx as nx

from qzdsl.model import policy as m
from qzdsl.language.compiler import compile_program
from qzdsl.model.dates import last_day_of_period, shift
from qzdsl.diagnostics import Diagnostic, QzError, Severity
from qzdsl.language.loader import check
from qzdsl.backends.evaluator.schedule import payout
from qzdsl.language.source_text import SourceText
from qzdsl.backends.audit import graph
from qzdsl.backends.audit.findings import ENCODING_CODES, finding, from_diagnostic
from qzdsl.backends.audit.smt import TIMED_OUT, Atom, ClauseFormula, Decider, Translator
from qzdsl.backends.audit.witness import Witness, witness_from_model

# Seconds each solver question may take (z3's own timeout), whatever the audit's budget.
QUESTION_TIMEOUT = 10.0

# A witness's as-of date is wished this long after the later of its clauses' window starts.
_WITNESS_OFFSET_MONTHS = 6


@dataclass(frozen=True)
class Resolution:
    """How the evaluator resolved a witness under 从优、从高、不重复: the clause paid
    (`winner`, possibly a third clause of the group), the favourability value of each
    clause involved, and whether the winner won a tie (on declaration order)."""

    winner: str | None
    values: tuple[tuple[str, Decimal | None], ...]
    tie: bool

    def value(self, clause: str) -> Decimal | None:
        return dict(self.values).get(clause)


@dataclass(frozen=True)
class PairResult:
    """What the solver decided about one candidate pair.

    `relation`: `Policy.pair_rule` (从优 pays one, both are paid, or nothing declared).
    `overlap` is None when z3 gave up. `reason` holds the atoms that cannot hold together
    when the pair is disjoint. `dominated` names the clause of the pair that is never
    paid, if one is. `undecided` is z3's reason when it gave up ("timeout": the question
    ran out of its time) — such a pair is never counted disjoint.
    """

    a: str
    b: str
    why: tuple[str, ...]
    relation: m.PairRule
    overlap: bool | None
    witness: Witness | None = None
    reason: tuple[Atom, ...] = ()
    resolution: Resolution | None = None
    dominated: str | None = None
    undecided: str = ""


@dataclass(frozen=True)
class Dependency:
    """A clause whose amount is left to existing or implementing rules."""

    clause: str
    title: str
    section: str
    text: str


@dataclass(frozen=True)
class Coverage:
    """How much of the policy the audit and the encoding cover."""

    clauses: int
    candidate_pairs: int
    overlaps: int
    disjoint: int
    solver_checks: int
    payout_sentences: int  # sentences of the official text that mention money or a grant
    uncited_sentences: int  # of those, cited by no declaration (QZ304)
    unencoded_amounts: int  # cited sentences with an amount no clause encodes (QZ305)


@dataclass(frozen=True)
class AuditReport:
    info: m.PolicyInfo
    imports: tuple[m.PolicyInfo, ...]
    sha256: str
    nodes: tuple[graph.ClauseNode, ...]
    edges: tuple[graph.Edge, ...]
    pairs: tuple[PairResult, ...]
    findings: tuple[Diagnostic, ...]
    sections: tuple[tuple[str, m.Section], ...]  # (key, section) in declaration order
    targets: tuple[m.Target, ...]
    dependencies: tuple[Dependency, ...]
    coverage: Coverage
    policy: m.Policy | None = field(default=None, compare=False, repr=False)  # what the wording phrases from

    @property
    def witnesses(self) -> tuple[Witness, ...]:
        """Every witness of the report, once, in the order of the pairs."""
        found = {p.witness.name: p.witness for p in self.pairs if p.witness is not None}
        return tuple(found.values())


def audit_file(path: str | Path | None = None, timeout: float | None = None,
               deadline: float | None = None, lang: str = "zh") -> AuditReport:
    """Check, compile and audit a policy file (default: the bundled policy), within
    `timeout` seconds when given (or by `deadline`, a `time.monotonic()` shared by several
    audits of one run); the report names clauses as a reader of `lang` sees them.

    Raises `QzError` when the policy has errors: an audit needs a compiled model.
    """
    result = check(path)
    if not result.ok:
        raise QzError(result.errors)
    return audit(compile_program(result.program).in_language(lang), result.diagnostics, timeout, deadline)


def audit(policy: m.Policy, diagnostics: tuple[Diagnostic, ...] = (), timeout: float | None = None,
          deadline: float | None = None, question_timeout: float = QUESTION_TIMEOUT) -> AuditReport:
    """Audit a compiled policy; `diagnostics` are its check results (QZ3xx are reported).

    `timeout`: the whole audit's budget in seconds. Every solver question gets at most
    what remains of it; questions not reached are reported (QZA011, variant `budget`, an
    error: an audit cut short proves nothing about the pairs it did not examine).
    `question_timeout`: the cap in seconds on each solver question; a question that
    reaches it is reported as timed out (QZA011, variant `timeout`), never as disjoint.
    """
    return _Audit(policy, timeout, deadline, question_timeout).run(diagnostics)


# How many cases the bounded search for a witness of an undecided overlap evaluates.
BOUNDED_SEARCH_CASES = 64


class _Audit:
    def __init__(self, policy: m.Policy, timeout: float | None = None, deadline: float | None = None,
                 question_timeout: float = QUESTION_TIMEOUT):
        self.policy = policy
        self.clauses = {c.id: c for c in policy.clauses}
        self.translator = Translator(policy)
        self.timeout = timeout
        if deadline is None and timeout is not None:
            deadline = time.monotonic() + timeout
        self.deadline = deadline
        self.question_timeout = question_timeout
        self.decider = Decider(self.translator, timeout_ms=max(1, int(question_timeout * 1000)), deadline=self.deadline)
        self.not_examined = 0
        self.formulas: dict[str, ClauseFormula] = {}
        self.rivals = self._rivals()
        self.components = self._components()

    def formula(self, clause_id: str) -> ClauseFormula:
        if clause_id not in self.formulas:
            self.formulas[clause_id] = self.translator.clause(self.clauses[clause_id])
        return self.formulas[clause_id]

    def _rivals(self) -> dict[str, set[str]]:
        """Clause -> the clauses 从优 may weigh it against (same group or excludes)."""
        rivals: dict[str, set[str]] = {c: set() for c in self.clauses}
        for members in graph.groups(self.policy).values():
            for clause in members:
                rivals[clause].update(members)
        for clause in self.policy.clauses:
            for other in clause.excludes:
                rivals[clause.id].add(other)
                rivals[other].add(clause.id)
        return rivals

    def _components(self) -> dict[str, m.Policy]:
        """Clause -> the policy restricted to the clauses linked to it by rivalry, directly
        or not. 从优 weighs no clause outside it against the clause, so the evaluator gives
        the same verdict on this part as on the whole policy, at a fraction of the cost."""
        rivalry = nx.Graph()
        rivalry.add_nodes_from(self.clauses)
        rivalry.add_edges_from((a, b) for a, others in self.rivals.items() for b in others)
        index = {c: i for i, component in enumerate(nx.connected_components(rivalry)) for c in component}
        members: dict[int, list[m.Clause]] = {}
        for clause in self.policy.clauses:
            members.setdefault(index[clause.id], []).append(clause)
        # Every part keeps the equivalences: a requirement may hold through one (`Via`), and
        # an equivalence is never weighed by 从优, so it changes no verdict of the part.
        equivalences = [c for c in self.policy.clauses if c.kind == "equivalence"]
        parts = {i: replace(self.policy, clauses=tuple(sorted({c.id: c for c in clauses + equivalences}.values(),
                                                              key=lambda c: c.order)))
                 for i, clauses in members.items()}
        return {c: parts[i] for c, i in index.items()}

    # ---- the whole audit --------------------------------------------------------------
    def run(self, diagnostics: tuple[Diagnostic, ...]) -> AuditReport:
        policy = self.policy
        never: dict[str, tuple[Atom, ...]] = {}
        undecided: list[Diagnostic] = []
        for clause in sorted(policy.clauses, key=lambda c: c.order):
            if self._out_of_time():
                self.not_examined += 1
                continue
            outcome = self.decider.decide((self.formula(clause.id),))
            if outcome.sat is False:
                never[clause.id] = outcome.core
            elif outcome.sat is None:
                undecided.append(self._undecided((clause,), "applies", reason=outcome.reason))
        pairs = []
        for candidate in graph.candidates(policy):
            if self._out_of_time():
                self.not_examined += 1
                continue
            pairs.append(self.pair(candidate, never))
        pairs = tuple(pairs)
        if self.not_examined:
            budget = finding("QZA011", (), "", variant="budget", seconds=f"{self.timeout or 0:g}",
                             count=self.not_examined)
            undecided.append(replace(budget, severity=Severity.ERROR))
        nodes = graph.clause_nodes(policy)
        decided = [graph.Edge(p.a, p.b, m.Relation.OVERLAP, p.witness.name) for p in pairs if p.overlap]
        decided += [graph.Edge(p.b if p.dominated == p.a else p.a, p.dominated, m.Relation.DOMINATES)
                    for p in pairs if p.dominated]
        sections = tuple(policy.sections.items())
        findings = (
            self._clause_findings(never)
            + self._pair_findings(pairs, never)
            + self._ambiguity_findings()
            + self._encoding_findings(diagnostics, sections)
            + undecided
            + [self._undecided((self.clauses[p.a], self.clauses[p.b]), "overlap", p.witness, p.undecided)
               for p in pairs if p.overlap is None]
        )
        return AuditReport(
            info=policy.info,
            imports=policy.imports,
            sha256=policy.sha256,
            nodes=nodes,
            edges=graph.declared_edges(policy) + tuple(decided),
            pairs=pairs,
            findings=tuple(sorted(findings, key=Diagnostic.sort_key)),
            sections=sections,
            targets=policy.targets,
            dependencies=self._dependencies(),
            coverage=self._coverage(pairs, diagnostics),
            policy=policy,
        )

    # ---- pairs ------------------------------------------------------------------------
    def pair(self, candidate: graph.Candidate, never: dict[str, tuple[Atom, ...]]) -> PairResult:
        a, b = self.clauses[candidate.a], self.clauses[candidate.b]
        relation = self.policy.pair_rule(a, b)
        result = PairResult(a.id, b.id, candidate.why, relation, False)
        if a.beneficiary != b.beneficiary:
            reason = tuple(Atom(c.id, f"to {c.beneficiary}", c.span, role=m.AtomRole.BENEFICIARY, kind=c.beneficiary)
                           for c in (a, b))
            return replace(result, reason=reason)
        for clause in (a, b):
            if clause.id in never:
                return replace(result, reason=never[clause.id])
        formulas = (self.formula(a.id), self.formula(b.id))
        rivals = self._rival_formulas(a, b)
        wishes = self.translator.wishes(formulas, _witness_date(a, b))
        outcome = self.decider.decide(formulas, wishes=wishes, also=rivals)
        if outcome.sat is None:  # both granted is what `stackable` declares: no double payment to look for
            witness = None if relation is m.PairRule.STACKABLE else self._bounded_witness(a, b, rivals)
            return replace(result, overlap=None, witness=witness, undecided=outcome.reason or "unknown")
        if not outcome.sat:
            return replace(result, reason=outcome.core)
        needed = tuple(dict.fromkeys(name for formula in formulas + rivals for name in formula.facts))
        witness = witness_from_model(self.translator, outcome.model, f"{a.id}--{b.id}", a.beneficiary, needed)
        result = replace(result, overlap=True, witness=witness)
        if relation is m.PairRule.CONFLICT:
            result = replace(result, resolution=_resolve(self.components[a.id], witness, a, b),
                             dominated=self._dominated(a, b))
        return result

    def _rival_formulas(self, a: m.Clause, b: m.Clause) -> tuple[ClauseFormula, ...]:
        """The formulas of the clauses 从优 weighs the pair against: a witness gives their
        facts values too, so that the evaluator decides every one of them."""
        rivals = sorted(self.rivals[a.id] | self.rivals[b.id], key=lambda c: self.clauses[c].order)
        return tuple(self.formula(c) for c in rivals
                     if c not in (a.id, b.id) and self.clauses[c].beneficiary == a.beneficiary)

    def _dominated(self, a: m.Clause, b: m.Clause) -> str | None:
        """The clause of a conflicting pair that is never paid: whenever it applies the
        other applies too (z3: it ∧ ¬other is unsat) and pays at least as much; of two
        clauses that dominate each other the later-declared loses, as in the evaluator."""
        va, vb = _favourability(a), _favourability(b)
        if va is None or vb is None or a.amount.per_head != b.amount.per_head:
            return None
        a_within_b = vb >= va and self._within(a, b)
        b_within_a = va >= vb and self._within(b, a)
        if a_within_b and not (b_within_a and va == vb and a.order < b.order):
            return a.id
        if b_within_a and not (a_within_b and va == vb and b.order < a.order):
            return b.id
        return None

    def _within(self, inner: m.Clause, outer: m.Clause) -> bool:
        outcome = self.decider.decide((self.formula(inner.id),), unless=(self.formula(outer.id),))
        return outcome.sat is False

    # ---- findings ---------------------------------------------------------------------
    def _clause_findings(self, never: dict[str, tuple[Atom, ...]]) -> list[Diagnostic]:
        found = []
        for clause in sorted(self.policy.clauses, key=lambda c: c.order):
            section = clause.section_key
            common = dict(clause=clause.id, title=clause.title)
            if clause.id in never:
                found.append(finding("QZA006", (clause.span,), section, (clause.id,),
                                     reason=never[clause.id], **common))
            if clause.left_to_other_rules:
                found.append(finding("QZA007", (clause.span,), section, (clause.id,),
                                     text=clause.existing or clause.amount.rule or "", **common))
            if clause.at_discretion:
                # "最高" without `discretionary` is a ceiling on what is due, not an official's choice.
                if clause.amount.kind is m.AmountKind.NONE:
                    variant = "grant"
                else:
                    variant = "discretionary" if clause.discretionary else "ceiling"
                found.append(finding("QZA008", (clause.span,), section, (clause.id,), amount=clause.amount,
                                     variant=variant, **common))
            outrun = _outrun(clause)
            if outrun is not None:
                found.append(finding("QZA010", (clause.span,), section, (clause.id,), **outrun, **common))
        return found

    def _pair_findings(self, pairs: tuple[PairResult, ...], never: dict[str, tuple[Atom, ...]]) -> list[Diagnostic]:
        found = []
        main = self.policy.info.doc_number
        for pair in pairs:
            a, b = self.clauses[pair.a], self.clauses[pair.b]
            # A finding about this text and an existing policy is located at this text's clause.
            first, second = (b, a) if a.policy != main and b.policy == main else (a, b)
            spans, section = (first.span, second.span), first.section_key
            common = dict(a=a.id, a_title=a.title, b=b.id, b_title=b.title, why=self._why(pair.why))
            related = pair.relation is not m.PairRule.NONE or any(w.startswith("group:") for w in pair.why)
            impossible = a.id in never or b.id in never  # QZA006 says it already
            if pair.overlap is False and related and not impossible:
                found.append(finding("QZA004", spans, section, (a.id, b.id), reason=pair.reason,
                                     **common))
            if not pair.overlap:
                continue
            if pair.relation is m.PairRule.NONE:
                found.append(finding("QZA001", spans, section, (a.id, b.id), pair.witness, **common))
            elif pair.relation is m.PairRule.STACKABLE:
                found.append(finding("QZA003", spans, section, (a.id, b.id), pair.witness, **common))
            else:
                found.append(self._resolved(pair, spans, section, common))
            if pair.dominated:
                loser = self.clauses[pair.dominated]
                winner = b if loser is a else a
                found.append(finding(
                    "QZA005", (loser.span, winner.span), loser.section_key, (loser.id, winner.id), pair.witness,
                    clause=loser.id, title=loser.title, by=winner.id, by_title=winner.title,
                    value=_favourability(loser), by_value=_favourability(winner)))
        return found

    def _why(self, why: tuple[str, ...]) -> tuple[str, ...]:
        """Why a pair was a candidate, with a need named by its label (a person reads it)."""
        needs = self.policy.needs
        return tuple(f"need:{needs[w[5:]].label}" if w.startswith("need:") and w[5:] in needs else w for w in why)

    def _resolved(self, pair: PairResult, spans, section: str, common: dict) -> Diagnostic:
        resolution = pair.resolution
        winner = resolution.winner if resolution else None
        losers = [c for c in (pair.a, pair.b) if c != winner]
        top = max((resolution.value(c) or Decimal(0) for c in losers), default=Decimal(0)) if resolution else None
        winner_value = resolution.value(winner) if resolution and winner else None
        margin = winner_value - top if winner_value is not None and top is not None else None
        return finding("QZA002", spans, section, (pair.a, pair.b), pair.witness, winner=winner or "",
                       winner_title=self.clauses[winner].title if winner else "", winner_value=winner_value,
                       margin=margin, tie=bool(resolution and resolution.tie), **common)

    def _ambiguity_findings(self) -> list[Diagnostic]:
        policy = self.policy
        found = []
        for key, section in policy.sections.items():
            for amb in section.ambiguities:
                found.append(finding("QZA009", (amb.span,), key, subject=section.ref, subject_title=section.title,
                                     question=amb.question, reading=amb.reading))
        for definition in policy.definitions.values():
            cited = definition.citations[0].section if definition.citations else ""
            section = policy.section_key(definition.policy, cited) if cited else ""
            for amb in definition.ambiguities:
                found.append(finding("QZA009", (amb.span,), section, subject=definition.name,
                                     subject_title=definition.label, question=amb.question, reading=amb.reading))
        for clause in policy.clauses:
            for amb in clause.ambiguities:
                found.append(finding("QZA009", (amb.span,), clause.section_key, (clause.id,), subject=clause.id,
                                     subject_title=clause.title, question=amb.question, reading=amb.reading))
        return found

    def _encoding_findings(self, diagnostics, sections) -> list[Diagnostic]:
        return [from_diagnostic(d, _section_at(d, sections)) for d in diagnostics if d.code in ENCODING_CODES]

    def _undecided(self, clauses: tuple[m.Clause, ...], question: str, witness: Witness | None = None,
                   reason: str = "") -> Diagnostic:
        """A question z3 gave up on: a warning (saying so when it ran out of time); an
        error when a bounded search found a case the evaluator grants both clauses of the
        pair to (a double payment z3 could not rule out, shown by its witness)."""
        spans, section, ids = tuple(c.span for c in clauses), clauses[0].section_key, tuple(c.id for c in clauses)
        if witness is None and reason in TIMED_OUT:
            return finding("QZA011", spans, section, ids, variant="timeout", question=question,
                           seconds=f"{self.question_timeout:g}")
        if witness is None:
            return finding("QZA011", spans, section, ids, question=question)
        return replace(finding("QZA011", spans, section, ids, witness, variant="witnessed", question=question),
                       severity=Severity.ERROR)

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _bounded_witness(self, a: m.Clause, b: m.Clause, rivals: tuple[ClauseFormula, ...]) -> Witness | None:
        """For an overlap z3 could not decide: a case under which the evaluator grants
        both clauses, found by a bounded search — from a model of each clause alone (each
        is satisfiable on its own), their crossings and seeded random mixtures of them,
        at most BOUNDED_SEARCH_CASES cases. None when none of them shows both granted."""
        from qzdsl.cases.case import case_from_dict
        from qzdsl.backends.evaluator.evaluator import evaluate

        formulas = (self.formula(a.id), self.formula(b.id))
        needed = tuple(dict.fromkeys(name for formula in formulas + rivals for name in formula.facts))
        seeds = []
        for one, other in ((formulas[0], formulas[1]), (formulas[1], formulas[0])):
            if self._out_of_time():
                return None
            outcome = self.decider.decide((one,), also=(other,) + rivals, model=True)
            if outcome.sat:
                seeds.append(witness_from_model(self.translator, outcome.model, f"{a.id}--{b.id}", a.beneficiary,
                                                needed))
        if not seeds:
            return None
        chance = random.Random(f"{a.id}--{b.id}")  # seeded: the same policy gives the same report
        first, second = dict(seeds[0].facts), dict(seeds[-1].facts)
        own_b = set(formulas[1].facts)
        candidates = [seeds[0], seeds[-1],
                      replace(seeds[0], facts=tuple((f, second[f] if f in own_b else v) for f, v in first.items()))]
        while len(candidates) < BOUNDED_SEARCH_CASES:
            mixed = tuple((f, chance.choice((first[f], second[f]))) for f in first)
            candidates.append(replace(chance.choice(seeds), facts=mixed))
        policy = self.policy
        for candidate in candidates:
            if self._out_of_time():
                return None
            try:
                decision = evaluate(policy, case_from_dict(candidate.case(), policy))
            except QzError:
                continue
            if all(decision.result(c.id).status is m.Status.GRANTED for c in (a, b)):
                return candidate
        return None

    # ---- summaries --------------------------------------------------------------------
    def _dependencies(self) -> tuple[Dependency, ...]:
        return tuple(
            Dependency(c.id, c.title, c.section_key, c.existing or c.amount.rule or "")
            for c in sorted(self.policy.clauses, key=lambda c: c.order)
            if c.left_to_other_rules
        )

    def _coverage(self, pairs: tuple[PairResult, ...], diagnostics) -> Coverage:
        text = self.policy.source_text
        payout_sentences = sum(1 for s in SourceText(text).sentences if s.mentions_payout) if text else 0
        return Coverage(
            clauses=len(self.policy.clauses),
            candidate_pairs=len(pairs),
            overlaps=sum(1 for p in pairs if p.overlap),
            disjoint=sum(1 for p in pairs if p.overlap is False),
            solver_checks=self.decider.checks,
            payout_sentences=payout_sentences,
            uncited_sentences=sum(1 for d in diagnostics if d.code == "QZ304"),
            unencoded_amounts=sum(1 for d in diagnostics if d.code == "QZ305"),
        )


def _witness_date(a: m.Clause, b: m.Clause) -> dt.date:
    """The as-of date a witness is wished to have: some months into both windows."""
    wished = shift(max(a.window.start, b.window.start), _WITNESS_OFFSET_MONTHS, "months")
    ends = [w.end for w in (a.window, b.window) if w.end is not None]
    return min([wished] + ends)


def _favourability(clause: m.Clause) -> Decimal | None:
    """The value 从优、从高 ranks a clause by (the evaluator's `Payout.value`, per head,
    undated); None when it has none to compare: a rule, no money, or open-ended."""
    paid = payout(clause, None, None)
    if paid is None or paid.open_ended:
        return None
    return paid.value


def _outrun(clause: m.Clause) -> dict | None:
    """How a clause's maximum duration runs past its section's trial, when it does."""
    window, amount = clause.window, clause.amount
    if window.end is None or amount.max_text is None:
        return None
    count, unit = amount.max_text.split()
    last = last_day_of_period(window.start, int(count), unit)
    if last <= window.end:
        return None
    return dict(max=amount.max_text, start=window.start, last=last, end=window.end, after_end=window.after_end)


def _section_at(diagnostic: Diagnostic, sections: tuple[tuple[str, m.Section], ...]) -> str:
    """The section a diagnostic's line falls under in its file ("" before any)."""
    span = diagnostic.span
    if span is None:
        return ""
    key = ""
    for name, section in sections:
        if section.span and section.span.file == span.file and section.span.line <= span.line:
            key = name
    return key


def _resolve(policy: m.Policy, witness: Witness, a: m.Clause, b: m.Clause) -> Resolution:
    """Who the evaluator pays when `witness` qualifies for two conflicting clauses
    (`policy` may be the part of the policy that 从优 weighs them in)."""
    from qzdsl.cases.case import case_from_dict
    from qzdsl.backends.evaluator.evaluator import evaluate
    from qzdsl.backends.evaluator.results import ExcludedBy

    decision = evaluate(policy, case_from_dict(witness.case(), policy))
    results = [decision.result(a.id), decision.result(b.id)]
    winner, tie = None, False
    for result in results:
        if result.status is m.Status.GRANTED:
            winner = result.clause.id
        for reason in result.reasons:
            if isinstance(reason, ExcludedBy):
                winner, tie = winner or reason.clause, reason.tie
    involved = [a.id, b.id] + ([winner] if winner not in (a.id, b.id, None) else [])
    values = []
    for clause in involved:
        amount = decision.result(clause).amount
        values.append((clause, amount.value if amount else None))
    return Resolution(winner, tuple(values), tie)
