"""The audit reports: pinned by snapshots, byte-identical run to run; SARIF has the 2.1.0
structure with stable rule ids; the HTML page stands alone and escapes what it shows;
the graph files read back into networkx."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from html import unescape
from pathlib import Path

import networkx as nx
import pytest
from rich.console import Console

from qzdsl.backends.audit.audit import audit_file
from qzdsl.codes import AUDIT_CODES, CODES
from qzdsl.diagnostics import PathStyle
from qzdsl.wording import audit as words
from qzdsl.reports.audit import html as audit_html
from qzdsl.reports.audit import json as audit_json
from qzdsl.reports.audit import markdown as audit_markdown
from qzdsl.reports.audit import sarif as audit_sarif
from qzdsl.reports.audit import table as audit_table
from qzdsl.reports.audit.graph import dot, write_graph
from qzdsl.reports.audit.matrix import matrices

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = "tests/fixtures/audit/policy.qz"



@pytest.fixture(scope="module")
def report():
    return audit_file(ROOT / FIXTURE)


def table(report, lang: str) -> str:
    buffer = io.StringIO()
    audit_table.render([report], lang, Console(file=buffer, width=120, color_system=None))
    return buffer.getvalue()


# ---- the one full snapshot: what a policy reviewer reads -----------------------------------


def test_markdown_report(report, snapshot):
    """The whole Chinese report, word for word; every other format and language is held to
    the findings it must show (below). The repository folder is taken out of the text so
    the snapshot reads the same wherever the suite runs."""
    text = audit_markdown.render([report], "zh")
    assert text.replace(PathStyle().show(str(ROOT)) + "/", "").replace(str(ROOT) + "/", "") == snapshot


# ---- every format shows every finding ------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_format_shows_every_finding(report, lang):
    markdown, page = audit_markdown.render([report], lang), audit_html.render([report], lang)
    data = json.loads(audit_json.render([report], lang))
    assert [(f["rule"], f["message"]) for f in data["findings"]] == [
        (f.code, words.message(f, lang, report.policy)) for f in report.findings]
    shown = table(report, lang)
    for finding in report.findings:
        assert words.message(finding, lang, report.policy) in unescape(page)
        assert f"{finding.code}**" in markdown and words.location(finding.span) in markdown
        assert finding.code in shown
    assert len(re.findall(r"QZA?\d{3}", shown)) >= len(report.findings)


def test_dot_graph_draws_every_clause_and_relation(report):
    text = dot(report, "zh")
    assert text.startswith(("graph", "digraph", "strict"))
    for node in report.nodes:
        assert f'"{node.id}"' in text or f"{node.id} " in text
    assert text.count("->") + text.count("--") >= len(report.edges)


def test_reports_are_byte_identical_from_a_fresh_audit(report):
    again = audit_file(ROOT / FIXTURE)
    for render in (audit_markdown.render, audit_html.render, audit_json.render, audit_sarif.render):
        assert render([again], "zh") == render([report], "zh")


# ---- JSON ----------------------------------------------------------------------------------


def test_json_has_findings_graph_and_coverage(report):
    data = json.loads(audit_json.render([report]))
    assert data["schema"] == "qzdsl.audit.v1"
    assert {"findings", "graph", "coverage", "pairs", "responsibility", "targets"} <= set(data)
    assert len(data["graph"]["nodes"]) == 13
    witnesses = [p["witness"] for p in data["pairs"] if p["overlap"]]
    assert witnesses and all(w["facts"] and w["as_of"] for w in witnesses)


def test_json_of_several_policies_is_an_array(report):
    assert isinstance(json.loads(audit_json.render([report, report])), list)


# ---- SARIF 2.1.0 ------------------------------------------------------------------------

STABLE_RULE_IDS = ["QZA001", "QZA002", "QZA003", "QZA004", "QZA005", "QZA006", "QZA007", "QZA008", "QZA009",
                   "QZA010", "QZA011", "QZ301", "QZ302", "QZ303", "QZ304", "QZ305", "QZ306", "QZ307"]


def test_sarif_structure(report):
    log = json.loads(audit_sarif.render([report]))
    assert log["$schema"].endswith("sarif-2.1.0.json") and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "qzdsl"
    rules = driver["rules"]
    assert all(rule["id"] and rule["shortDescription"]["text"] for rule in rules)
    assert len(run["results"]) == len(report.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith(".qz")
        assert physical["artifactLocation"]["uriBaseId"] in run["originalUriBaseIds"]
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1


def test_sarif_rule_ids_are_stable(report):
    log = json.loads(audit_sarif.render([report]))
    assert [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]] == STABLE_RULE_IDS
    assert list(AUDIT_CODES) == STABLE_RULE_IDS


def test_sarif_levels_follow_severity(report):
    log = json.loads(audit_sarif.render([report]))
    levels = {(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]}
    assert ("QZA001", "error") in levels and ("QZA005", "warning") in levels and ("QZA003", "note") in levels


def test_sarif_fingerprints_are_unique(report):
    results = json.loads(audit_sarif.render([report]))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["qzdsl/v1"] for r in results]
    assert len(set(prints)) == len(prints)


# ---- HTML ----------------------------------------------------------------------------------


def test_html_is_self_contained(report):
    page = audit_html.render([report])
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r"(?:src|href)=", page) == []
    assert re.findall(r"https?://[^\"' ]+", page) == []


def test_html_shows_findings_by_section_matrix_and_targets(report):
    page = audit_html.render([report])
    assert "<h3>二（十） 实施就业创业安居保障行动</h3>" in page
    assert "责任分工" in page and "市住建局" in page and "目标任务" in page and "新增入库创业导师" in page


def test_html_escapes_what_it_shows(report):
    nodes = (dataclasses.replace(report.nodes[0], title="<b>补贴</b>"),) + report.nodes[1:]
    page = audit_html.render([dataclasses.replace(report, nodes=nodes)])
    assert "<b>补贴</b>" not in page and "&lt;b&gt;补贴&lt;/b&gt;" in page


def test_the_matrices_show_every_clause_by_its_full_title_and_every_relation(report):
    found = matrices(report, "zh")
    assert sorted(r.title for s in found for r in s.rows) == sorted(n.title for n in report.nodes)
    inside = sum(len(c) for s in found for r in s.rows for c in r.cells)
    undirected = sum(1 for e in report.edges if not e.directed)
    assert inside + sum(len(s.across) for s in found) >= len(report.edges)
    assert inside <= len(report.edges) + undirected  # an undirected relation is marked on both sides


def test_matrix_tooltips_are_in_chinese_words(report):
    page = audit_html.render([report])
    tips = re.findall(r'<span class="rel [^"]*" title="([^"]*)"', page)
    assert tips and all("“" in tip and not re.search(r"[a-z]+_[a-z_]+", tip) for tip in tips)


# ---- graph files ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".dot", ".graphml", ".json"])
def test_graph_file_is_deterministic(report, tmp_path, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_graph(report, first)
    write_graph(report, second)
    assert first.read_bytes() == second.read_bytes()


def test_graphml_reads_back(report, tmp_path):
    path = tmp_path / "graph.graphml"
    write_graph(report, path)
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == {n.id for n in report.nodes}
    assert graph.number_of_edges() == len(report.edges)
    assert graph.nodes["purchase_grant"]["section"] == "二（十）"


def test_json_graph_reads_back(report, tmp_path):
    path = tmp_path / "graph.json"
    write_graph(report, path)
    graph = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    assert relations == {"same_group", "stackable", "equivalence", "overlap", "dominates"}


def test_mermaid_has_every_clause(report):
    text = audit_markdown.mermaid(report)
    assert all(f"[\"{node.title}\"]" in text for node in report.nodes)
    assert not any(node.id in text for node in report.nodes)


# ---- docs ----------------------------------------------------------------------------------


def test_docs_list_every_audit_rule_with_its_severity():
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for rule in AUDIT_CODES:
        if rule.startswith("QZA"):
            assert f"| {rule} | {CODES[rule].severity.value} |" in doc
