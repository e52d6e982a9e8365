"""The JSON report of a policy-test run: every test with its unmet expectations, the
summary, and (when asked) the coverage. Keys and lists are in a fixed order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qzdsl.diagnostics import PathStyle
from qzdsl.money import to_json
from qzdsl.testing.spec import Amount
from qzdsl.testing.coverage import Coverage
from qzdsl.testing.runner import PolicyTestRun


def run_json(run: PolicyTestRun, cov: Coverage | None = None) -> dict:
    paths = PathStyle()
    data = {
        "policy": {"doc_number": run.policy.info.doc_number, "sha256": run.policy.sha256},
        "summary": {"passed": run.passed, "failed": run.failed, "total": len(run.results)},
        "tests": [
            {
                "id": f"{paths.show(r.test.file)}::{r.test.name}",
                "file": paths.show(r.test.file),
                "name": r.test.name,
                "as_of": r.test.as_of.isoformat(),
                "passed": r.passed,
                "decision": r.decision.id,
                "mismatches": [
                    {"clause": x.clause, "field": x.field, "expected": value(x.expected), "got": value(x.got),
                     "at": paths.location(x.check.span)}
                    for x in r.mismatches
                ],
            }
            for r in run.results
        ],
    }
    if cov is not None:
        data["coverage"] = coverage_json(cov)
    return data


def coverage_json(cov: Coverage) -> dict:
    return {
        "clause_percent": str(cov.clause_percent),
        "atom_percent": str(cov.atom_percent),
        "clauses": [
            {"clause": c.clause.id, "granted": c.granted, "excluded": c.excluded, "ineligible": c.ineligible,
             "undetermined": c.undetermined, "not_in_force": c.not_in_force, "covered": c.covered}
            for c in cov.clauses
        ],
        "untouched": list(cov.untouched()),
        "groups": [
            {"group": g.group, "members": list(g.members), "granted": g.granted, "contested": g.contested,
             "excluded": g.excluded}
            for g in cov.groups
        ],
        "atoms": [
            {"clause": a.clause, "path": list(a.path), "text": a.text, "within": list(a.within),
             "seen_true": a.seen_true, "seen_false": a.seen_false, "covered": a.covered}
            for a in cov.atoms
        ],
    }


def value(v: object) -> object:
    """An expected or actual value as JSON: money as an int when whole, else a string."""
    if isinstance(v, Amount):
        return {"low": value(v.low), "high": value(v.high)}
    if isinstance(v, Decimal):
        return to_json(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (frozenset, set, tuple)):
        return sorted(v)
    return v
