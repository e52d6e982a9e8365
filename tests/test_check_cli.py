"""`qzdsl check`: exit codes (0 clean or warnings only, 1 errors, 2 usage), where the
output goes (text diagnostics on stderr; JSON and SARIF on stdout), and the languages."""

from __future__ import annotations

import json

import pytest

from qzdsl.diagnostics import PathStyle


def shown(path) -> str:
    """A file name as qzdsl shows it from the working directory the tests run in."""
    return PathStyle().show(str(path))


def test_clean_policy_exits_0(run_cli, fixtures):
    code, out, err = run_cli("check", fixtures / "ok" / "rent.qz", "--lang", "en")
    assert code == 0
    assert out == ""
    assert err == f"{shown(fixtures / 'ok' / 'rent.qz')}: 0 error(s), 0 warning(s)\n"


def test_the_bundled_policy_is_named_from_the_policies_folder(run_cli):
    code, _, err = run_cli("check", "--lang", "en")
    assert code == 0 and err.endswith("\nqzf-2023-12/policy.qz: 0 error(s), 0 warning(s)\n")


@pytest.mark.parametrize("name", ["qzf-2023-12", "qz-existing"])
def test_the_bundled_policies_are_wholly_translated(run_cli, root, name):
    """`--lang en` shows the policies' own English words: a label, member, title or
    question that lacks its `en "…"` is QZ113 under `check --english`, and fails here."""
    path = root / "policies" / name / "policy.qz"
    code, out, err = run_cli("check", "--english", "--format", "json", path)
    assert code == 0
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == []


def test_warnings_alone_exit_0(run_cli, fixtures):
    code, _, err = run_cli("check", fixtures / "broken" / "uncovered_sentence.qz", "--lang", "en")
    assert code == 0
    assert "warning[QZ304]" in err
    assert err.endswith("uncovered_sentence.qz: 0 error(s), 1 warning(s)\n")


def test_errors_exit_1_with_rendered_diagnostics_on_stderr(run_cli, fixtures):
    path = fixtures / "broken" / "undefined_name.qz"
    code, out, err = run_cli("check", path, "--lang", "en")
    assert code == 1
    assert out == ""
    assert err.splitlines()[:4] == [
        f"{shown(path)}:7:12: error[QZ101]: undefined name 'low_income_familly'",
        " 7 |   requires low_income_familly,",
        "   |            ^^^^^^^^^^^^^^^^^^",
        "   = hint: did you mean 'low_income_family'?",
    ]


def test_messages_and_hints_in_chinese(run_cli, fixtures):
    path = fixtures / "broken" / "undefined_name.qz"
    _, _, err = run_cli("check", path, "--lang", "zh")
    lines = err.splitlines()
    assert lines[0] == f"{shown(path)}:7:12: error[QZ101]: 未定义的名称“low_income_familly”"
    assert lines[3] == "   = 提示: 是否指“low_income_family”？"
    assert lines[-1] == f"{shown(path)}：1 个错误，0 个警告"


def test_syntax_errors_exit_1(run_cli, fixtures):
    code, _, err = run_cli("check", fixtures / "broken" / "syntax_missing_comma.qz")
    assert code == 1
    assert "error[QZ001]" in err


def test_one_bad_file_among_several_exits_1(run_cli, fixtures):
    code, _, err = run_cli("check", fixtures / "ok" / "rent.qz", fixtures / "broken" / "missing_to.qz",
                             "--lang", "en")
    assert code == 1
    assert "rent.qz: 0 error(s)" in err
    assert "missing_to.qz: 1 error(s)" in err


def test_json_on_stdout(run_cli, fixtures):
    path = fixtures / "broken" / "duplicate_fact.qz"
    code, out, err = run_cli("check", path, "--format", "json", "--lang", "en")
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["schema"] == "qzdsl.check.v1" and data["file"] == shown(path)
    assert data["summary"] == {"error": 1, "warning": 0, "info": 0}
    (found,) = data["diagnostics"]
    assert found["code"] == "QZ102" and found["name"] == "DuplicateName" and found["severity"] == "error"
    assert found["message"] == f"'low_income_family' is already declared at {shown(path)}:4:6"
    assert found["hint"] == "rename one of them"
    assert found["locations"] == [{"file": shown(path), "line": 5, "column": 6, "end_line": 5, "end_column": 23}]
    assert found["args"]["name"] == "low_income_family" and found["args"]["at"]["line"] == 4


def test_json_of_several_files_is_an_array(run_cli, fixtures):
    _, out, _ = run_cli("check", fixtures / "ok" / "rent.qz", fixtures / "broken" / "missing_to.qz", "-f", "json")
    assert [(d["summary"]["error"], len(d["diagnostics"])) for d in json.loads(out)] == [(0, 0), (1, 1)]


def test_sarif_on_stdout(run_cli, fixtures):
    path = fixtures / "broken" / "undefined_name.qz"
    code, out, _ = run_cli("check", path, "--format", "sarif", "--lang", "en")
    assert code == 1
    log = json.loads(out)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert not any(rule["id"].startswith("QZA") for rule in rules)  # the audit's own codes are not check's
    (result,) = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "QZ101"
    assert result["level"] == "error"
    assert result["message"]["text"] == "undefined name 'low_income_familly' (did you mean 'low_income_family'?)"
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 7, "startColumn": 12, "endLine": 7, "endColumn": 30}
    assert location["artifactLocation"].get("uriBaseId") in (None, *run["originalUriBaseIds"])


def test_sarif_names_the_bundled_policy_from_its_own_folder(run_cli):
    _, out, _ = run_cli("check", "--format", "sarif", "--lang", "en")
    run = json.loads(out)["runs"][0]
    assert run["results"] == [] and run["properties"] == {"file": "qzf-2023-12/policy.qz"}


@pytest.mark.parametrize("args", [["no-such-policy.qz"], ["--no-such-option"], ["--format", "xml"]])
def test_usage_errors_exit_2(run_cli, args):
    code, _, err = run_cli("check", *args)
    assert code == 2
    if args == ["no-such-policy.qz"]:
        assert "qzdsl check: 错误: 没有这个文件：no-such-policy.qz" in err
