"""An audit finding reads as a lawyer would write it: every finding of the bundled
policy's audit and of the audit fixtures, in Chinese and in English, in every format a
person reads (terminal table, Markdown, HTML, the JSON's and SARIF's messages), carries no
identifier and no expression of the policy language outside a technical section."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from qzdsl.backends.audit.audit import audit_file
from qzdsl.reports.audit import html, markdown, sarif, table
from qzdsl.reports.audit.json import report_data
from qzdsl.wording import audit as words

ROOT = Path(__file__).resolve().parents[2]
POLICIES = {
    "bundled": None,
    "fixture": ROOT / "tests/fixtures/audit/policy.qz",
    "no-errors": ROOT / "tests/fixtures/audit/no_errors.qz",
}
# The policy language's operators and keywords, as they would leak into prose. English prose
# says "and", "or" and "not": there only operators and the language's own words count.
_DSL = {
    "zh": re.compile(r"==|!=|>=|<=|\b(and|or|not|via|as_of|after_trial|stackable|excludes|extends|requires|group)\b"),
    "en": re.compile(r"==|!=|>=|<=|\b(as_of|after_trial|extends|stackable)\b"),
}


@pytest.fixture(scope="module", params=list(POLICIES), ids=list(POLICIES))
def report(request):
    return audit_file(POLICIES[request.param])


def _identifiers(report, lang: str) -> re.Pattern:
    policy = report.policy
    names = set(policy.facts) | set(policy.definitions) | set(policy.kinds) | {c.id for c in policy.clauses}
    names |= {m.name for f in policy.facts.values() for m in f.members} | set(policy.groups)
    names |= {t.id for t in policy.targets} | {a.id for a in policy.asides}
    for clause in policy.clauses:
        names |= set(clause.groups)
    if lang == "en":  # an English word that is also a name (person, other) is a word there
        names = {n for n in names if "_" in n}
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")


def _readable_html(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r'<details class="technical">.*?</details>', "", page, flags=re.S)
    page = re.sub(r'<section class="technical">.*?</section>', "", page, flags=re.S)
    page = re.sub(r'<span class="loc">.*?</span>', "", page, flags=re.S)
    page = re.sub(r'(id|href|class)="[^"]*"', "", page)
    return re.sub(r"<[^>]+>", " ", page)


def _readable_markdown(text: str) -> str:
    text = re.sub(r"<details>.*?</details>", "", text, flags=re.S)
    text = re.sub(r"```mermaid.*?```", "", text, flags=re.S)  # node ids of the diagram's source
    return re.sub(r"`[^`]*`", "", text)  # code spans: locations and the SHA-256


def outputs(report, lang: str) -> dict[str, str]:
    console = Console(record=True, width=200, color_system=None, file=open("/dev/null", "w"))
    table.render([report], lang, console)
    data = report_data(report, lang)
    document = json.loads(sarif.render([report], lang))
    return {
        "table": console.export_text(),
        "md": _readable_markdown(markdown.render([report], lang)),
        "html": _readable_html(html.render([report], lang)),
        "json messages": "\n".join(f["message"] for f in data["findings"]),
        "sarif messages": "\n".join(r["message"]["text"] for r in document["runs"][0]["results"]),
    }


def leaks(text: str, identifiers: re.Pattern, lang: str) -> list[str]:
    found = [m.group(0) for m in identifiers.finditer(text)] + [m.group(0) for m in _DSL[lang].finditer(text)]
    return sorted(set(found))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_identifier_in_any_finding(report, lang):
    identifiers = _identifiers(report, lang)
    found = {name: leaks(text, identifiers, lang) for name, text in outputs(report, lang).items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_every_finding_of_every_rule_is_phrased(report):
    """Each finding's own sentence, one by one: a leak names the rule it came from."""
    for lang in ("zh", "en"):
        identifiers = _identifiers(report, lang)
        for finding in report.findings:
            sentence = words.message(finding, lang, report.policy)
            assert leaks(sentence, identifiers, lang) == [], (finding.code, sentence)


def test_a_proof_of_disjointness_names_the_conditions_in_words():
    report = audit_file(POLICIES["fixture"])
    found = next(f for f in report.findings if f.code == "QZA004")
    sentence = words.message(found, "zh", report.policy)
    assert "以下条件不能同时成立" in sentence and "要求" in sentence
    assert "==" not in sentence
    technical = report_data(report, "zh")["findings"]
    args = next(f["args"] for f in technical if f["rule"] == "QZA004")
    assert all(":" in atom for atom in args["reason"])  # the JSON keeps the encoded conjuncts


def test_a_clause_that_can_never_apply_says_why_in_words():
    report = audit_file(POLICIES["fixture"])
    found = next(f for f in report.findings if f.code == "QZA006")
    sentence = words.message(found, "zh", report.policy)
    assert sentence.startswith("“") and "永远不能适用，因为以下条件不能同时成立" in sentence
    assert "适用期" in sentence or "要求" in sentence
