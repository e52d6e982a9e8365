"""Questions by stake: the missing facts are asked in the order of what hangs on them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.backends.evaluator.questions import answers, clause_stake, questions
from qzdsl.backends.evaluator.results import Status
from qzdsl.cases.case import load_case

CASES = Path(__file__).resolve().parents[3] / "policies" / "qzf-2023-12" / "cases"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


@pytest.fixture(scope="module")
def decision(policy):
    return evaluate(policy, load_case(CASES / "homebuyer-missing-facts.yaml", policy))


def test_the_first_question_decides_the_most_money(decision):
    asked = questions(decision)
    assert asked[0].stake == max(q.stake for q in asked)
    assert {"home_purchase_grant", "housing_annual_subsidy", "pf_topup_subsidy"} <= set(asked[0].clauses)


def test_every_missing_fact_is_asked_once(decision):
    assert sorted(q.fact for q in questions(decision)) == sorted(decision.questions)


def test_each_question_decides_the_clauses_it_names(policy, decision):
    """Some answer to the question takes each named clause out of 待补充; the stake is
    what those clauses can pay."""
    for q in questions(decision):
        decided = set()
        for answer in answers(policy, q.fact, decision.as_of):
            case = dataclasses.replace(decision.case, facts={**decision.case.facts, q.fact: answer})
            again = evaluate(policy, case, decision.as_of)
            decided |= {r.clause.id for r in again.results if r.status is not Status.UNDETERMINED}
        assert set(q.clauses) <= decided, q.fact
        assert q.stake == sum(clause_stake(policy.clause(c)) for c in q.clauses)


def test_questions_are_grouped_by_topic_and_ordered_by_stake(decision):
    asked = questions(decision)
    topics = [q.topic for q in asked]
    assert topics == sorted(topics, key=topics.index), "a topic's questions are together"
    for topic in set(topics):
        stakes = [q.stake for q in asked if q.topic == topic]
        assert stakes == sorted(stakes, reverse=True)


def test_a_yes_no_fact_is_tried_both_ways_and_an_amount_either_side_of_its_threshold(policy, decision):
    assert answers(policy, "no_home_in_quzhou", decision.as_of) == (True, False)
    amounts = answers(policy, "employer_pf_monthly", decision.as_of)
    assert 200 in amounts and 201 in amounts


def test_the_reports_ask_first_what_decides_the_most(policy, decision):
    from qzdsl.reports.eval.json import record

    data = record(decision, "zh")
    assert data["questions"][0]["fact"] == questions(decision)[0].fact
    assert data["questions"][0]["stake_text"].startswith("涉及最高")


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.name)
def test_a_question_decides_exactly_what_trying_every_answer_on_every_open_clause_decides(policy, path):
    """The questions re-evaluate only the undetermined clauses that read the fact, and those
    alone: against trying every answer on every undetermined clause, with the whole case
    evaluated again and 从优 applied, they find the same clauses."""
    decision = evaluate(policy, load_case(path, policy))
    undetermined = {r.clause.id for r in decision.results if r.status is Status.UNDETERMINED}
    for question in questions(decision):
        decided = set()
        for answer in answers(policy, question.fact, decision.as_of):
            case = dataclasses.replace(decision.case, facts={**decision.case.facts, question.fact: answer})
            again = evaluate(policy, case, decision.as_of)
            decided |= {r.clause.id for r in again.results
                        if r.clause.id in undetermined and r.status is not Status.UNDETERMINED}
        assert set(question.clauses) == decided, question.fact
