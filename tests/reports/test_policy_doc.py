"""`qzdsl doc`: the lawyer's table and the annotated law of the bundled policy are
generated from the compiled policy, committed in docs/policies/, and kept up to date
(this test fails when they are stale: run `qzdsl doc table -o docs/policies/qzf-2023-12.md`
and `qzdsl doc law -o docs/policies/qzf-2023-12.html`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qzdsl
from qzdsl.language.source_text import SourceText
from qzdsl.reports.doc import law, table
from qzdsl.reports.doc.coverage import sentence_coverage
from qzdsl.wording import terms
from qzdsl.wording.conditions import Phrasing

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies"
TABLE = DOCS / "qzf-2023-12.md"
LAW = DOCS / "qzf-2023-12.html"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


@pytest.fixture(scope="module")
def doc(policy) -> str:
    return table.render(policy, "zh")


def test_the_committed_lawyers_table_is_up_to_date(doc):
    assert TABLE.read_text(encoding="utf-8") == doc, "stale: run qzdsl doc table -o docs/policies/qzf-2023-12.md"


def test_the_committed_annotated_law_is_up_to_date(policy):
    assert LAW.read_text(encoding="utf-8") == law.render(policy, "zh"), \
        "stale: run qzdsl doc law -o docs/policies/qzf-2023-12.html"


def test_every_clause_and_target_has_its_row(doc, policy):
    missing = [c.title for c in policy.clauses if f"| {c.title} |" not in doc]
    missing += [t.title for t in policy.targets if t.title not in doc]
    assert missing == []


def test_every_clause_quote_is_shown(doc, policy):
    assert [c.id for c in policy.clauses for q in c.citations if q.quote not in doc] == []


def test_every_recorded_reading_is_listed_in_plain_words(doc, policy):
    words = Phrasing(policy, "zh")
    items = [a for c in policy.clauses for a in c.ambiguities]
    items += [a for s in policy.sections.values() for a in s.ambiguities]
    items += [a for d in policy.definitions.values() for a in d.ambiguities]
    assert [a.question for a in items if words.plain(a.reading).replace("|", "\\|") not in doc] == []


def test_identifiers_only_in_the_concordance(doc, policy):
    body = doc.split("## 编码标识对照")[0]
    names = {c.id for c in policy.clauses} | set(policy.facts) | set(policy.definitions)
    assert sorted(n for n in names if re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", body)) == []


def test_money_is_classified_by_what_it_is(policy):
    kinds = {c.id: terms.money_kind_of(c) for c in policy.clauses}
    assert kinds["graduate_rent_balance_withdrawal"] == "own_balance"  # 提取租房补贴余额: no new money
    assert kinds["startup_guarantee"] == "guarantee"  # 10—30万元担保: not cash
    assert kinds["mentor_subsidy"] == "ceiling"  # 最高8000元
    assert kinds["high_quality_employment_community_award"] == "floor"  # 不低于5万元
    assert kinds["home_purchase_grant"] == "new_money"
    assert {kinds[c.id] for c in policy.clauses if c.kind == "reference"} == {"existing"}


def test_every_sentence_not_encoded_is_listed_with_a_reason(doc, policy):
    rest = [s for s in sentence_coverage(policy) if s.coverage != "encoded"]
    section = doc.split("## 未编码为待遇的原文句子")[1].split("## 编码标识对照")[0]
    rows = [line for line in section.split("\n") if line.startswith("| ") and not line.startswith("| 行")]
    assert len(rows) == len(rest)
    assert all(row.rstrip(" |").split(" | ")[-1].strip() for row in rows)


def test_the_annotated_law_has_every_sentence_coloured(policy):
    page = law.render(policy, "zh")
    sentences = SourceText(policy.source_text).sentences
    for s in sentences:
        assert re.search(r'<span class="cov (encoded|partly|not_encoded|not_payout)"[^>]*>'
                         + re.escape(s.text.replace("“", "“").replace("&", "&amp;")
                                     .replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")), page), s.text
