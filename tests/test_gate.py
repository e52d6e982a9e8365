"""The audit gate: a question z3 cannot decide is at least a warning, an error when a
bounded search shows both clauses granted; the whole audit has a time budget."""

from __future__ import annotations

import json

import pytest

from qzdsl.backends.audit import smt
from qzdsl.backends.audit.audit import audit_file
from qzdsl.diagnostics import Severity

FIXTURE = "tests/fixtures/audit/policy.qz"


@pytest.fixture
def undecided_pairs(monkeypatch):
    """z3 gives up on every question about two clauses together (as on a hard policy);
    questions about one clause are still answered."""
    real = smt.Decider.decide

    def decide(self, formulas, **kwargs):
        return smt.Outcome(None) if len(formulas) == 2 else real(self, formulas, **kwargs)

    monkeypatch.setattr(smt.Decider, "decide", decide)


def _pairs(findings, code: str, severity: Severity | None = None) -> list[tuple[str, ...]]:
    return sorted(tuple(f.clauses) for f in findings if f.code == code and (severity is None or f.severity is severity))


def test_the_bounded_search_finds_exactly_the_double_payments_z3_would_prove(root, monkeypatch):
    decided = audit_file(root / FIXTURE)
    double_payments = _pairs(decided.findings, "QZA001")
    assert double_payments
    with monkeypatch.context() as patch:
        real = smt.Decider.decide
        patch.setattr(smt.Decider, "decide", lambda self, formulas, **kw:
                      smt.Outcome(None) if len(formulas) == 2 else real(self, formulas, **kw))
        undecided = audit_file(root / FIXTURE)
    assert _pairs(undecided.findings, "QZA011", Severity.ERROR) == double_payments
    assert all(f.witness is not None for f in undecided.findings if f.code == "QZA011" and f.severity is Severity.ERROR)


def test_an_undecided_stackable_pair_stays_a_warning(root, undecided_pairs):
    report = audit_file()  # the bundled policy: its undecided pairs are all declared stackable or resolved
    pairs = {(p.a, p.b): p for p in report.pairs}
    for finding in report.findings:
        if finding.code == "QZA011" and len(finding.clauses) == 2:
            pair = pairs[tuple(finding.clauses)]
            assert (finding.severity is Severity.ERROR) == (pair.witness is not None)
            if pair.relation == "stackable":
                assert finding.severity is Severity.WARNING


def test_an_undecided_pair_fails_fail_on_warning_but_not_fail_on_error(root, undecided_pairs):
    from qzdsl.diagnostics import at_or_above

    report = audit_file(root / "tests/fixtures/audit/no_errors.qz")
    undecided = [f for f in report.findings if f.code == "QZA011"]
    assert undecided and all(f.severity is Severity.WARNING for f in undecided)
    assert at_or_above(undecided, Severity.WARNING) and not at_or_above(undecided, Severity.ERROR)


def test_the_time_budget_is_reported_and_fails_the_gate(run_cli, root):
    code, out, err = run_cli("audit", "-p", root / FIXTURE, "-f", "json", "--timeout", "0.001", "--fail-on", "error")
    findings = json.loads(out)["findings"]
    budget = [f for f in findings if f.get("args", {}).get("variant") == "budget"]
    assert code == 1 and len(budget) == 1 and budget[0]["severity"] == "error"
    assert "0.001" in budget[0]["message"]


def test_without_a_budget_the_audit_is_complete(root):
    report = audit_file(root / FIXTURE)
    assert not [f for f in report.findings if f.code == "QZA011"]
