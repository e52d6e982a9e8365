"""The lawyer's table (docs/policies/qzf-2023-12.md) keeps up with the encoding: a reviewer
must find every clause, target and recorded reading of the bundled policy in it."""

from __future__ import annotations

from pathlib import Path

import pytest

import qzdsl

DOC = Path(__file__).resolve().parent.parent / "docs" / "policies" / "qzf-2023-12.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


def test_every_clause_and_target_has_its_row(doc, policy):
    missing = [c.id for c in policy.clauses if f"`{c.id}`" not in doc]
    missing += [t.id for t in policy.targets if f"`{t.id}`" not in doc]
    assert missing == []


def test_every_clause_quote_is_shown(doc, policy):
    assert [c.id for c in policy.clauses for q in c.citations if q.quote not in doc] == []


def test_every_recorded_ambiguity_is_listed(doc, policy):
    questions = [a.question for c in policy.clauses for a in c.ambiguities]
    questions += [a.question for s in policy.sections.values() for a in s.ambiguities]
    questions += [a.question for d in policy.definitions.values() for a in d.ambiguities]
    assert [q for q in questions if q not in doc] == []
