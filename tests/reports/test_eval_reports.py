"""The eval reports: the JSON record (schema qzdsl.eval.v1), Markdown, the HTML clause-trace
report and the counter's table — pinned by snapshots, deterministic, and the HTML
self-contained and escaped."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

import qzdsl
from qzdsl.diagnostics import PathStyle
from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.reports.eval import html as eval_html
from qzdsl.reports.eval import json as eval_json
from qzdsl.reports.eval import markdown as eval_markdown
from qzdsl.reports.eval import table as eval_table

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests/fixtures/eval/cases"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load(ROOT / "tests/fixtures/eval/policy.qz")


def decide(policy, name: str):
    return evaluate(policy, load_case(CASES / name, policy))


def table(decision, lang: str) -> str:
    buffer = io.StringIO()
    eval_table.render(eval_json.record(decision, lang), Console(file=buffer, width=120, color_system=None))
    return buffer.getvalue()


# ---- the one full snapshot: what a caseworker reads --------------------------------------

SNAPSHOT_CASES = ["homebuyer.yaml", "graduate-renter.yaml", "missing-facts.yaml", "after-trial.yaml"]


def test_markdown_report(policy, snapshot):
    """The whole report, word for word, for one case; every other format and case is held
    to what the record says (below). The case folder is taken out of the text so the
    snapshot reads the same wherever the suite runs."""
    text = eval_markdown.render(decide(policy, "homebuyer.yaml"))
    assert text.replace(PathStyle().show(str(CASES)) + "/", "") == snapshot


# ---- every format lays out the same record -------------------------------------------------


@pytest.mark.parametrize("name", SNAPSHOT_CASES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_format_shows_every_clause_with_its_status(name, lang, policy):
    decision = decide(policy, name)
    record = eval_json.record(decision, lang)
    assert [(c["id"], c["status"]) for c in record["clauses"]] == [
        (r.clause.id, r.status.value) for r in decision.results]
    assert json.loads(eval_json.render(decision, lang)) == json.loads(json.dumps(record, ensure_ascii=False))
    markdown, html, text = eval_markdown.render(decision, lang), eval_html.render(decision, lang), table(decision, lang)
    for clause in record["clauses"]:
        for shown in (markdown, html, text):
            assert clause["status_text"] in shown, (clause["id"], clause["status_text"])
        assert clause["title"] in markdown and clause["title"] in html
    assert (f'<html lang="{"zh-CN" if lang == "zh" else "en"}">') in html


@pytest.mark.parametrize("name", SNAPSHOT_CASES)
def test_every_format_shows_the_total_granted(name, policy):
    decision = decide(policy, name)
    record = eval_json.record(decision)
    if record["totals"]["text"]:
        for shown in (eval_markdown.render(decision), eval_html.render(decision), table(decision, "zh")):
            assert record["totals"]["text"] in shown


# ---- the JSON record -------------------------------------------------------------------------

CLAUSE_FIELDS = {"id", "title", "status", "amount", "clause", "excluded_by", "missing_facts", "reasons", "trace"}


def test_json_record_carries_the_documented_fields(policy):
    record = json.loads(eval_json.render(decide(policy, "homebuyer.yaml")))
    assert record["schema"] == "qzdsl.eval.v1"
    assert re.fullmatch(r"[0-9a-f]{16}", record["decision_id"])
    assert record["policy"]["sha256"] == policy.sha256
    assert record["as_of"] == "2024-08-01"
    assert {f["name"]: f["value"] for f in record["case"]["facts"]}["salary"] == "8500.50"
    for clause in record["clauses"]:
        assert CLAUSE_FIELDS <= set(clause)
        assert {"ref", "quote"} <= set(clause["clause"])
    rent = next(c for c in record["clauses"] if c["id"] == "rent_subsidy")
    assert rent["excluded_by"] == "home_grant"
    assert rent["clause"] == {
        "ref": "二（二）", "section_title": "保障租住", "policy": "测试〔2023〕1号",
        "quote": "对在本市无房的员工，每月给予500元租房补贴，最长12个月",
        "citations": [{"section": "二（二）", "quote": "对在本市无房的员工，每月给予500元租房补贴，最长12个月",
                       "source_line": 11}],
    }
    assert record["totals"] | {"text": None, "schedule_text": None} == {
        "granted": 3, "monetary": 3, "low": 26000, "high": 32000, "value": 32000, "open_ended": 0, "own_balance": 0,
        "after_trial": 0, "text": None, "schedule_text": None,
        # the one-off of June is owed, the current month and year are due, the rest projected
        "paid": {"low": 20000, "high": 20000}, "due": {"low": 2000, "high": 8000},
        "projected": {"low": 4000, "high": 4000}}


def test_json_money_is_exact(policy):
    record = eval_json.record(decide(policy, "homebuyer.yaml"))
    amounts = [c["amount"] for c in record["clauses"] if c["amount"]]
    values = [a["per_period"]["low"] for a in amounts] + [a["value"] for a in amounts]
    assert all(v is None or isinstance(v, (int, str)) for v in values)


@pytest.mark.parametrize("render", [eval_json.render, eval_markdown.render, eval_html.render],
                         ids=["json", "md", "html"])
def test_reports_are_deterministic(render, policy):
    first = render(decide(policy, "graduate-renter.yaml"))
    assert render(decide(policy, "graduate-renter.yaml")) == first


# ---- the HTML report -------------------------------------------------------------------------

EXTERNAL = re.compile(r"https?:|//[a-z]|\bsrc\s*=|<link|<script|@import|url\(", re.IGNORECASE)


@pytest.mark.parametrize("name", ["homebuyer.yaml", "missing-facts.yaml", "mentor.yaml"])
def test_html_has_no_external_resources(name, policy):
    html = eval_html.render(decide(policy, name))
    assert html.startswith("<!DOCTYPE html>")
    assert EXTERNAL.search(html) is None


def test_html_escapes_every_value_from_the_case(policy):
    case = case_from_dict({"name": '<script>alert("x")</script>&', "kind": "person",
                           "facts": {"works_here": True}}, policy, path="<evil>.yaml")
    html = eval_html.render(evaluate(policy, case))
    assert "<script>" not in html and "<evil>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in html


def test_html_is_chinese_by_default_and_english_on_request(policy):
    decision = decide(policy, "homebuyer.yaml")
    assert '<html lang="zh-CN">' in eval_html.render(decision) and "可享受" in eval_html.render(decision)
    english = eval_html.render(decision, "en")
    assert '<html lang="en">' in english and "granted" in english


def test_html_cites_the_provision_of_a_clause_not_in_force(policy):
    html = eval_html.render(decide(policy, "after-trial.yaml"))
    assert "其中安居补贴政策试行2年" in html
    assert "期满后停止发放" in html


def test_markdown_carries_no_raw_html_from_the_case(policy, tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text('name: "<script>alert(1)</script>"\nkind: person\n', encoding="utf-8")
    text = eval_markdown.render(evaluate(policy, load_case(path, policy)), "zh")
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_a_failed_comparison_does_not_repeat_the_value_it_names():
    """"X不超过0元" where X is 0元 says all: no "（X为0元）" after it."""
    bundled = qzdsl.load()
    case = load_case(ROOT / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml", bundled)
    record = eval_json.record(evaluate(bundled, case), "zh")
    clause = next(c for c in record["clauses"] if c["id"] == "talent_rent_subsidy")
    messages = [r["message"] for r in clause["reasons"]]
    assert messages and all("（" not in m.split("不超过0元", 1)[-1] for m in messages), messages


def test_the_record_phrases_each_condition_once_per_policy_and_language(policy, monkeypatch):
    """A condition is phrased the first time a record needs it and reused after that, in
    the same words; another language, or another policy object, is phrased anew, and the
    phrasing is dropped with its policy."""
    import gc
    import pickle
    import weakref

    from qzdsl.model.derived import cached
    from qzdsl.wording.conditions import Phrasing

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same evaluated_at in every record
    first = {lang: eval_json.render(decide(policy, "graduate-renter.yaml"), lang) for lang in ("zh", "en")}
    phrased = []
    original = Phrasing.holds
    monkeypatch.setattr(Phrasing, "holds", lambda self, e, truth=True: phrased.append(e) or original(self, e, truth))
    assert {lang: eval_json.render(decide(policy, "graduate-renter.yaml"), lang) for lang in ("zh", "en")} == first
    assert phrased == []
    twin = pickle.loads(pickle.dumps(policy))
    assert eval_json.render(evaluate(twin, load_case(CASES / "graduate-renter.yaml", twin)), "en") == first["en"]
    assert phrased and ("eval.record", "en") in cached(twin) and ("eval.record", "zh") not in cached(twin)
    dropped = weakref.ref(twin)
    del twin
    gc.collect()
    assert dropped() is None
