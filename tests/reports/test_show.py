"""`qzdsl show`: the compiled policy as a person reads it (tables, or one line per
declaration on a narrow terminal) and as JSON (schema qzdsl.policy.v1) for tools."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

import qzdsl
from qzdsl.diagnostics import PathStyle
from qzdsl.model import export
from qzdsl.reports.show.table import render_policy


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


def test_json_is_the_exported_model(run_cli, policy):
    code, out, _ = run_cli("show", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data == json.loads(json.dumps(export.policy(policy), ensure_ascii=False))
    assert data["schema"] == "qzdsl.policy.v1"
    assert data["policy"]["doc_number"] == "衢政发〔2023〕12号" and data["sha256"] == policy.sha256


def test_json_lists_every_declaration_with_its_citation_and_place(run_cli, policy):
    data = json.loads(run_cli("show", "-f", "json")[1])
    assert [c["id"] for c in data["clauses"]] == [c.id for c in policy.clauses]
    assert set(data["facts"]) == set(policy.facts) and set(data["kinds"]) == set(policy.kinds)
    own = [c for c in data["clauses"] if c["policy"] == policy.info.doc_number]
    assert own and all(c["citations"] for c in own), "every clause of the policy cites its text"
    # Places name the policy's own file, never where qzdsl happens to be installed.
    assert {c["span"]["file"] for c in own} == {"qzf-2023-12/policy.qz"}


def test_json_of_a_fixture_policy(run_cli, fixtures):
    path = fixtures / "eval" / "policy.qz"
    code, out, _ = run_cli("show", "-p", path, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["policy"]["doc_number"] == "测试〔2023〕1号"
    assert {c["span"]["file"] for c in data["clauses"]} == {PathStyle().show(str(path))}


def test_json_is_deterministic(run_cli):
    assert run_cli("show", "-f", "json")[1] == run_cli("show", "-f", "json")[1]


def test_table_names_the_policy_and_every_clause(policy):
    console = Console(width=200, record=True, color_system=None)
    render_policy(policy, console)
    text = console.export_text()
    assert text.startswith(f"{policy.info.doc_number} {policy.info.title}")
    assert f"sha256 {policy.sha256[:12]}" in text
    for clause in policy.clauses:
        assert clause.id in text
    assert "事实 Facts" in text and "条款 Clauses" in text


def test_a_policy_that_does_not_check_is_not_shown(run_cli, fixtures):
    code, out, err = run_cli("show", "-p", fixtures / "broken" / "undefined_name.qz")
    assert code == 1 and out == ""
    assert "error[QZ101]" in err


def test_a_missing_policy_is_a_usage_error(run_cli, tmp_path):
    code, out, _ = run_cli("show", "-p", tmp_path / "nothing.qz")
    assert code == 2 and out == ""
