"""`qzdsl show`: the compiled policy as a person reads it (tables, or one line per
declaration on a narrow terminal) and as JSON (schema qzdsl.policy.v1) for tools."""

from __future__ import annotations

import io
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_lists_terms_needs_and_groups_with_their_labels(run_cli, policy, lang):
    shown = policy.in_language(lang)
    code, listed, _ = run_cli("show", "-f", "list", "--lang", lang)
    assert code == 0
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    render_policy(shown, console, lang)
    table = console.export_text()
    for text in (listed, table):
        for term in shown.terms.values():
            assert term.name in text and term.label in text
        for need in shown.needs.values():
            assert need.name in text and need.label in text
        for group in shown.groups.values():
            assert group.name in text and group.label in text
    span = "自“购房日期”起10年" if lang == "zh" else "10 years from 'purchase date'"
    assert span in listed
    withdrawal = next(line for line in listed.splitlines() if line.startswith("graduate_rent_balance_withdrawal"))
    assert "rent_subsidy_balance" not in withdrawal  # an amount names its fact by its label
    code, out, err = run_cli("show", "-f", "json", "--lang", lang)
    assert code == 0, err
    data = json.loads(out)
    assert data["terms"]["housing_subsidy_term"]["clauses"] == ["housing_annual_subsidy", "pf_topup_subsidy"]
    assert data["terms"]["housing_subsidy_term"]["label"] == shown.terms["housing_subsidy_term"].label
    assert data["needs"]["housing_rent"]["label"] == shown.needs["housing_rent"].label
    assert data["group_labels"] == {name: g.label for name, g in sorted(shown.groups.items())}
