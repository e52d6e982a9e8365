"""`qzdsl check`: exit codes (0 clean or warnings only, 1 errors, 2 usage) and where the
output goes (diagnostics on stderr, nothing on stdout)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qzdsl import cli

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_clean_policy_exits_0(monkeypatch):
    monkeypatch.chdir(FIXTURES / "ok")
    result = runner.invoke(cli.app, ["check", "rent.qz"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "rent.qz: 0 error(s), 0 warning(s)\n"


def test_warnings_alone_exit_0(monkeypatch):
    monkeypatch.chdir(FIXTURES / "broken")
    result = runner.invoke(cli.app, ["check", "uncovered_sentence.qz"])
    assert result.exit_code == 0
    assert "warning[QZ304]" in result.stderr
    assert result.stderr.endswith("uncovered_sentence.qz: 0 error(s), 1 warning(s)\n")


def test_errors_exit_1_with_rendered_diagnostics_on_stderr(monkeypatch):
    monkeypatch.chdir(FIXTURES / "broken")
    result = runner.invoke(cli.app, ["check", "undefined_name.qz"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[:4] == [
        "undefined_name.qz:7:12: error[QZ101]: undefined name 'low_income_familly'",
        " 7 |   requires low_income_familly,",
        "   |            ^^^^^^^^^^^^^^^^^^",
        "   = hint: did you mean 'low_income_family'?",
    ]


def test_syntax_errors_exit_1(monkeypatch):
    monkeypatch.chdir(FIXTURES / "broken")
    result = runner.invoke(cli.app, ["check", "syntax_missing_comma.qz"])
    assert result.exit_code == 1
    assert "error[QZ001]" in result.stderr


def test_one_bad_file_among_several_exits_1(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = runner.invoke(cli.app, ["check", "ok/rent.qz", "broken/missing_to.qz"])
    assert result.exit_code == 1
    assert "rent.qz: 0 error(s)" in result.stderr
    assert "missing_to.qz: 1 error(s)" in result.stderr


def test_missing_file_exits_2():
    result = runner.invoke(cli.app, ["check", "no-such-policy.qz"])
    assert result.exit_code == 2
    assert "qzdsl check: 错误: 没有这个文件：no-such-policy.qz" in result.stderr


def test_unknown_option_exits_2():
    result = runner.invoke(cli.app, ["check", "--no-such-option"])
    assert result.exit_code == 2
