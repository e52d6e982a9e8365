"""After a section's trial (二（十） 安居保障 试行3年): every eval report shows what the
periods starting inside the trial and after it pay, apart, under the recorded readings,
and names the other readings — payments stopping at the trial's end, and the trial
measured from the in-force date instead of the date the measures apply from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import qzdsl
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.backends.evaluator.schedule import trial_split
from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.model.policy import AfterEnd
from qzdsl.reports.eval import html as eval_html
from qzdsl.reports.eval import json as eval_json
from qzdsl.reports.eval import markdown as eval_markdown

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml"


def _decision():
    policy = qzdsl.load()
    return evaluate(policy, load_case(CASE, policy))


def test_the_bundled_trial_has_its_other_end_from_the_in_force_date():
    window = qzdsl.load().clause("housing_annual_subsidy").window
    assert (window.end, window.other_end) == (dt.date(2025, 12, 31), dt.date(2026, 5, 3))
    assert qzdsl.load().clause("graduate_si_subsidy").window.other_end is None  # no trial


def test_the_record_splits_the_schedule_at_the_trial_and_names_the_other_readings():
    record = eval_json.record(_decision(), "zh")
    annual = next(c for c in record["clauses"] if c["id"] == "housing_annual_subsidy")
    trial = annual["trial"]
    assert trial["end"] == "2025-12-31" and trial["after_end"] == "continue"
    assert trial["inside"] == {"periods": 2, "low": 16000, "high": 16000}
    assert trial["after"] == {"periods": 8, "low": 64000, "high": 64000}
    # The other reading of what happens after the trial: payments stop, 16,000元 in all.
    assert trial["other_after_end"] == "stop" and trial["other_total"]["low"] == 16000
    # The other reading of the trial's end: from the in-force date 2023-05-04, to 2026-05-03.
    assert trial["other_end"] == "2026-05-03" and trial["other_inside"]["low"] == 24000
    text = trial["text"]
    for words in ("试行期至2025-12-31", "试行期内起算的2年共16,000元", "试行期满后起算的8年共64,000元",
                  "另一种理解（期满后停止发放）：共16,000元", "试行期终止日的另一种理解：至2026-05-03"):
        assert words in text
    assert {"kind": "trial_split", "message": text} in annual["reasons"]
    grant = next(c for c in record["clauses"] if c["id"] == "home_purchase_grant")
    assert grant["trial"] is None  # a one-off
    # 73,900元 of the guaranteed total start after the trial: 64,000 + 9,900.
    assert record["totals"]["after_trial"] == 73900
    assert "财政资金中73,900元为试行期满后起算的各期" in record["totals"]["text"]


def test_markdown_html_and_english_show_it():
    decision = _decision()
    md = eval_markdown.render(decision, "zh")
    assert "试行期满后起算的8年共64,000元" in md and "至2026-05-03" in md
    html = eval_html.render(decision, "zh")
    assert "试行期满后起算的8年共64,000元" in html
    en = eval_json.record(decision, "en")
    annual = next(c for c in en["clauses"] if c["id"] == "housing_annual_subsidy")
    assert "the trial runs to 2025-12-31" in annual["trial"]["text"]
    assert "the alternative reading of the trial's end: to 2026-05-03" in annual["trial"]["text"]


def test_under_the_reading_stop_the_other_reading_pays_the_dropped_periods():
    policy = qzdsl.load(ROOT / "tests/fixtures/sql/trial_stop.qz")
    case = case_from_dict({"kind": "person", "as_of": dt.date(2024, 6, 1),
                           "facts": {"hire_date": dt.date(2024, 6, 1), "region": "local"}}, policy)
    result = evaluate(policy, case).result("trial_monthly")
    split = trial_split(result.clause, result.amount)
    assert split.after_end is AfterEnd.STOP and split.after.count == 0
    assert split.inside.count == result.amount.count == 9  # 2024-06 .. 2025-02
    assert split.other_after_end is AfterEnd.CONTINUE and split.other_total.low == Decimal(300 * 24)
