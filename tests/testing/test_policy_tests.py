"""The bundled policy's own tests (policies/qzf-2023-12/tests/) pass, and between them
grant and deny every clause, exercise every exclusion group, and use every example case."""

from __future__ import annotations

from pathlib import Path

import pytest

import qzdsl
from qzdsl.model import policy as m
from qzdsl.testing.spec import default_test_dir
from qzdsl.reports.testing.text import failure_text
from qzdsl.resources import bundled_policy_path
from qzdsl.testing.coverage import coverage
from qzdsl.testing.runner import run_paths

POLICY_DIR = bundled_policy_path().parent


@pytest.fixture(scope="module")
def run():
    return run_paths(qzdsl.load(), [default_test_dir()])


def test_bundled_policy_tests_all_pass(run):
    failures = [failure_text(r) for r in run.results if not r.passed]
    assert not failures, "\n\n".join(failures)
    assert run.passed == len(run.results) > 0


def test_every_clause_is_granted_and_denied_by_some_test(run):
    cov = coverage(run)
    not_covered = [c.clause.id for c in cov.clauses if not c.covered]
    assert not_covered == []
    assert cov.clause_percent == 100


def test_every_monetary_clause_pays_in_some_test(run):
    cov = coverage(run)
    monetary = [c for c in cov.clauses if c.clause.amount.kind is not m.AmountKind.NONE]
    assert monetary and all(c.granted for c in monetary)


def test_every_exclusion_group_is_exercised(run):
    groups = coverage(run).groups
    assert {g.group for g in groups} == {"housing_purchase_support", "housing_rent_support", "social_insurance_subsidy",
                                         "startup_hiring_support", "outside_worker_recruitment"}
    assert all(g.exercised for g in groups)


def test_every_example_case_has_its_expected_result_in_a_test(run):
    used = {Path(r.test.case.path).resolve() for r in run.results if r.test.case.path}
    examples = {p.resolve() for p in (POLICY_DIR / "cases").glob("*.yaml")}
    assert len(examples) >= 15
    assert examples - used == set()
