"""What a clause pays, said the same way everywhere: a granted clause's amount is what it
pays under the facts given (its timeline: paid, due, projected), the nominal lifetime
named as such beside it where the two differ; discretionary amounts read "up to", an own
balance "may be drawn", and an entitlement's size (a guarantee) is never "due"."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import qzdsl
from qzdsl.cases.case import load_case
from qzdsl.frontdoor.interview import progress
from qzdsl.reports.eval import html as eval_html
from qzdsl.reports.eval import markdown as eval_markdown
from qzdsl.reports.eval.json import record

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "policies/qzf-2023-12/cases"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


def _decision(policy, name: str):
    return qzdsl.evaluate(policy, load_case(CASES / name, policy))


def _clause(rec: dict, clause_id: str) -> dict:
    return next(c for c in rec["clauses"] if c["id"] == clause_id)


def test_a_stopped_schedule_says_what_it_pays_under_the_facts_and_names_the_nominal_lifetime(policy):
    decision = _decision(policy, "graduate-homebuyer-over-time.yaml")
    zh, en = record(decision, "zh"), record(decision, "en")
    topup = _clause(zh, "pf_topup_subsidy")
    # 19 months paid, 100 stopped, 1 undetermined: 1,900 under the facts, 12,000 nominally.
    assert topup["amount"]["total"] == {"low": 1900, "high": 1900}
    assert topup["amount"]["nominal"] == {"low": 12000, "high": 12000}
    assert topup["timeline"]["total"] == topup["amount"]["total"]
    assert topup["amount"]["value"] == 1900
    text = topup["amount"]["text"]
    assert "按所给事实累计1,900元" in text and "名义上累计12,000元" in text
    assert "累计12,000元" not in text.replace("名义上累计12,000元", "")
    en_text = _clause(en, "pf_topup_subsidy")["amount"]["text"]
    assert "¥1,900 in total under the facts given" in en_text and "nominally ¥12,000" in en_text
    # A schedule paying every period says one total.
    annual = _clause(zh, "housing_annual_subsidy")
    assert annual["amount"]["total"] == annual["amount"]["nominal"] == {"low": 80000, "high": 80000}
    assert "名义" not in annual["amount"]["text"]
    # The trial split counts what the periods pay under the facts: nothing after the trial
    # for the 100元 (stopped from December 2025), so 64,000 of the total is after the trial.
    assert topup["trial"]["after"] == {"periods": 99, "low": 0, "high": 0}
    assert zh["totals"]["after_trial"] == 64000


def test_every_clause_total_adds_up_to_the_totals(policy):
    for path in sorted(CASES.glob("*.yaml")):
        decision = qzdsl.evaluate(policy, load_case(path, policy))
        rec = record(decision, "zh")
        low = high = Decimal(0)
        for clause in rec["clauses"]:
            result = decision.result(clause["id"])
            if clause["status"] != "granted" or not result.clause.public_money or clause["amount"] is None:
                continue
            timeline = clause["timeline"]
            assert timeline is not None, (path.name, clause["id"])
            if timeline["total"] is None:
                continue  # open-ended: no total
            assert clause["amount"]["total"] == timeline["total"], (path.name, clause["id"])
            if result.clause.guaranteed:
                low += Decimal(str(timeline["total"]["low"] or 0))
            top = timeline["total"]["high"]
            high = None if high is None or top is None else high + Decimal(str(top))
        if not rec["totals"]["open_ended"]:
            shown = rec["totals"]["high"]
            assert Decimal(str(rec["totals"]["low"])) == low, path.name
            assert (None if shown is None else Decimal(str(shown))) == high, path.name


def test_discretionary_amounts_read_up_to_and_are_not_owed(policy):
    rec = record(_decision(policy, "startup-enterprise.yaml"), "zh")
    hiring = _clause(rec, "startup_hiring_subsidy")
    assert hiring["amount"]["text"].startswith("每年最高50,000元") and "累计最高150,000元" in hiring["amount"]["text"]
    assert "应发" not in hiring["timeline"]["text"] and "可给予最高50,000元" in hiring["timeline"]["text"]
    assert rec["totals"]["text"] == "最高150,000元"
    en = _clause(record(_decision(policy, "startup-enterprise.yaml"), "en"), "startup_hiring_subsidy")
    assert "up to ¥50,000" in en["amount"]["text"] and "discretion" in en["timeline"]["text"]


def test_a_guarantees_size_is_not_due_and_an_own_balance_may_be_drawn(policy):
    rec = record(_decision(policy, "startup-enterprise.yaml"), "zh")
    guarantee = _clause(rec, "startup_guarantee_enterprise")
    assert guarantee["status"] == "granted" and guarantee["timeline"] is None
    rec = record(_decision(policy, "graduate-homebuyer.yaml"), "zh")
    withdrawal = _clause(rec, "graduate_rent_balance_withdrawal")
    assert "可提取" in withdrawal["timeline"]["text"] and "应发" not in withdrawal["timeline"]["text"]


def test_every_format_shows_the_same_amount_words(policy):
    decision = _decision(policy, "graduate-homebuyer-over-time.yaml")
    text = record(decision, "zh")
    topup = _clause(text, "pf_topup_subsidy")
    words = [topup["amount"]["text"], topup["timeline"]["text"]]
    markdown = eval_markdown.render(decision, "zh")
    html = re.sub(r"<[^>]+>", "", eval_html.render(decision, "zh"))
    for shown in (markdown, html):
        for phrase in words:
            assert phrase.split("（")[0] in shown
    # The interview's summary uses the same words.
    granted = {item.ref + item.title: item.amount for item in progress(decision, "zh").granted}
    assert any("按所给事实累计1,900元" in amount for amount in granted.values())
