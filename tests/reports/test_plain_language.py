"""People read labels, never identifiers or the policy language: the Chinese terminal,
Markdown and HTML reports of every bundled example case carry no identifier and no DSL
expression outside their technical section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

import qzdsl
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.cases.case import load_case
from qzdsl.reports.eval import html, markdown, table
from qzdsl.reports.eval.json import record
from qzdsl.wording.conditions import Phrasing

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "policies" / "qzf-2023-12" / "cases").glob("*.yaml"))
# The policy language's operators and keywords, as they would leak into prose.
_DSL = re.compile(r"==|!=|>=|<=|\b(and|or|not|via|as_of|after_trial|stackable|excludes|extends|requires)\b")


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


@pytest.fixture(scope="module")
def identifiers(policy) -> re.Pattern:
    names = set(policy.facts) | set(policy.definitions) | set(policy.kinds) | {c.id for c in policy.clauses}
    names |= {m.name for f in policy.facts.values() for m in f.members}
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")


def leaks(text: str, identifiers: re.Pattern) -> list[str]:
    found = [m.group(0) for m in identifiers.finditer(text)] + [m.group(0) for m in _DSL.finditer(text)]
    return sorted(set(found))


def readable_html(page: str) -> str:
    """What a reader sees of an HTML report, outside the technical section."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r'<section class="technical">.*?</section>', "", page, flags=re.S)
    page = re.sub(r'(id|href|class)="[^"]*"', "", page)
    return re.sub(r"<[^>]+>", " ", page)


def readable_markdown(text: str) -> str:
    return text.split("<details>")[0]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_identifier_outside_the_technical_section(path, policy, identifiers):
    decision = evaluate(policy, load_case(path, policy))
    data = record(decision, "zh")
    console = Console(record=True, width=160, color_system=None, file=open("/dev/null", "w"))
    table.render(data, console)
    outputs = {
        "table": console.export_text(),
        "md": readable_markdown(markdown.render_record(data)),
        "html": readable_html(html.render_record(data)),
        "json messages": "\n".join(r["message"] for c in data["clauses"] for r in c["reasons"]),
    }
    found = {name: leaks(text, identifiers) for name, text in outputs.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_a_failed_enumeration_reads_as_a_sentence(policy):
    phrase = Phrasing(policy, "zh")
    partner = next(c for c in policy.clauses if c.id == "partner_graduate_equal")
    cmp = next(e for e in partner.requires.operands if "university" in e.text)
    assert phrase.holds(cmp, False) == "毕业院校类别不是与衢州市建立合作关系的市外高校"
    assert phrase.holds(cmp, True) == "毕业院校类别为与衢州市建立合作关系的市外高校"


def test_money_compared_reads_in_yuan(policy):
    phrase = Phrasing(policy, "zh")
    clause = next(c for c in policy.clauses if c.id == "pf_topup_subsidy")
    assert phrase.holds(clause.continuing, True).endswith("住房公积金企业缴存部分（每月）超过200元")


def test_a_once_only_condition_reads_as_history(policy):
    """`once_only FACT` reads as what the applicant did before, never as an identifier."""
    phrase = Phrasing(policy, "zh")
    clause = next(c for c in policy.clauses if c.id == "public_welfare_post_resettlement")
    assert clause.once_only == "resettled_via_public_welfare_post"
    assert phrase.holds(clause.requires, True).endswith("，且此前未通过公益性岗位再安置过")
    assert phrase.holds(clause.requires.operands[-1], False) == "此前已通过公益性岗位再安置过"


def test_an_equivalence_for_someone_else_is_not_a_failure(policy):
    case = load_case(ROOT / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml", policy)
    data = record(evaluate(policy, case), "zh")
    partner = next(c for c in data["clauses"] if c["id"] == "partner_graduate_equal")
    assert partner["status"] == "ineligible" and partner["shown_as"] == "inapplicable"
    assert partner["status_text"] == "不适用"


def test_english_reasons_carry_no_identifier(policy, identifiers):
    case = load_case(ROOT / "policies/qzf-2023-12/cases/partner-graduate-homebuyer.yaml", policy)
    data = record(evaluate(policy, case), "en")
    messages = "\n".join(r["message"] for c in data["clauses"] for r in c["reasons"])
    # English prose says "and" and "not": only identifiers and operators are leaks here.
    assert [m.group(0) for m in identifiers.finditer(messages)] == []
    assert re.findall(r"==|!=|>=|<=", messages) == []


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_english_reports_use_the_policys_english_labels(path, policy):
    """--lang en: the policy's English labels (no identifier, no Chinese label where the
    policy declares English words); English prose says "and" and "not", so only names
    with an underscore and the language's operators count as leaks."""
    english = policy.in_language("en")
    names = set(english.facts) | set(english.definitions) | {c.id for c in english.clauses}
    names |= {m.name for f in english.facts.values() for m in f.members} | set(english.groups)
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, {n for n in names if "_" in n}),
                                                                  key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
    data = record(evaluate(english, load_case(path, english)), "en")
    console = Console(record=True, width=160, color_system=None, file=open("/dev/null", "w"))
    table.render(data, console)
    outputs = {"table": console.export_text(), "md": readable_markdown(markdown.render_record(data)),
               "html": readable_html(html.render_record(data))}
    found = {name: sorted({m.group(0) for m in pattern.finditer(text)} | set(re.findall(r"==|!=|>=|<=", text)))
             for name, text in outputs.items()}
    assert {name: words for name, words in found.items() if words} == {}
    titles = [c["title"] for c in data["clauses"]]
    assert all(title == english.clause(c["id"]).title_en for title, c in zip(titles, data["clauses"]))


def test_english_reports_give_readings_and_notes_in_english(policy):
    """--lang en: the bundled policies' recorded readings, ambiguity questions and notes are
    in the English words they declare (`check --english` reports any that lack them)."""
    english = policy.in_language("en")
    cjk = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
    for path in CASES:
        data = record(evaluate(english, load_case(path, english)), "en")
        for clause in data["clauses"]:
            texts = [r["question"] for r in clause["readings"]] + [r["reading"] for r in clause["readings"]]
            texts += clause["notes"]
            for text in texts:
                assert len(cjk.findall(text)) * 10 < len(text), (path.stem, clause["id"], text)
    chinese = record(evaluate(policy, load_case(CASES[0], policy)), "zh")
    assert any(cjk.search(r["reading"]) for c in chinese["clauses"] for r in c["readings"])


def test_the_bundled_policies_have_english_words_for_everything_a_reader_sees():
    result = qzdsl.check(ROOT / "policies/qzf-2023-12/policy.qz", english=True)
    assert [(d.code, d.span.line) for d in result.diagnostics] == []
