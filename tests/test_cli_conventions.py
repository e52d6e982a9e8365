"""What a newcomer expects of the command line: --version, completion, help that lists the
choices, usage errors in qzdsl's own words and language, the checkout's own policy by
default, `show` that never cuts an identifier, `new-case`, and the eval path's imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rich.console import Console

import qzdsl
from qzdsl.cases.template import case_template
from qzdsl.reports.show.table import render_list, render_policy

from cli_runner import run_main

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_version_names_qzdsl_the_bundled_policy_and_python(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "--version")
    policy = qzdsl.load()
    assert code == 0
    assert out.splitlines() == [f"qzdsl {qzdsl.__version__}", f"{policy.info.doc_number} sha256 {policy.sha256}",
                                f"Python {'.'.join(map(str, sys.version_info[:3]))}"]


def test_shell_completion_is_offered(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "--help")
    assert code == 0 and "--install-completion" in out and "--show-completion" in out


def test_help_describes_every_option_and_lists_the_choices(capsys, monkeypatch):
    import typer.main

    from qzdsl import cli
    from qzdsl.wording import cli as words

    group = typer.main.get_command(cli.app)
    for lang in ("zh", "en"):
        cli._localize(group, lang)
        for name, command in group.commands.items():
            assert command.help, f"qzdsl {name} has no help in {lang}"
            for param in command.params:
                assert getattr(param, "help", None), f"qzdsl {name} {param.name} has no help in {lang}"
                # worded in the help table, not written inline in English beside the parameter
                assert f"{name}.{param.name}" in words.HELP[lang], f"qzdsl {name} {param.name}: no {lang} help"
    for command in group.commands:
        _, out, _ = run_main(capsys, monkeypatch, command, "--help")
        assert "list[" not in out and "<list" not in out and "PATH]" not in out.split("用法：")[0]
        assert "Usage" not in out and "Options" not in out and "Show this message" not in out, "help in Chinese"
    _, out, _ = run_main(capsys, monkeypatch, "eval", "--help")
    assert "<table|json|md|html>" in out and "报告格式" in out


def test_help_follows_the_language(capsys, monkeypatch):
    _, zh, _ = run_main(capsys, monkeypatch, "eval", "--help")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    _, en, _ = run_main(capsys, monkeypatch, "eval", "--help")
    assert "测算一个案例" in zh and "Evaluate a case" in en


@pytest.mark.parametrize("args, lang, expected", [
    (["eval", "-f", "pdf", "x.yaml"], "zh", "qzdsl eval: 错误: --format/-f 不接受 'pdf'；可选：table, json, md, html"),
    (["eval", "-f", "pdf", "x.yaml", "--lang", "en"], "zh",
     "qzdsl eval: error: --format/-f does not take 'pdf'; choose one of: table, json, md, html"),
    (["eval", "--format=pdf"], "en", "qzdsl eval: error: --format/-f does not take 'pdf'"),
    (["eval", "--formt", "json"], "zh", "提示: 您是否要用 --format？"),
    (["evl"], "zh", "qzdsl: 错误: 没有 'evl' 这个命令"),
    (["fmt"], "en", "qzdsl fmt: error: missing argument FILE..."),
    (["eval", "--as-of"], "en", "error: option --as-of needs a value"),
])
def test_usage_errors_are_in_qzdsls_own_words(capsys, monkeypatch, args, lang, expected):
    monkeypatch.setenv("LANG", "en_US.UTF-8" if lang == "en" else "zh_CN.UTF-8")
    code, out, err = run_main(capsys, monkeypatch, *args)
    assert code == 2 and out == ""
    assert expected in err
    assert "Value error" not in err and "Traceback" not in err


def _checkout(tmp_path: Path) -> Path:
    """A copy of the checkout's grammar and policies, as a policy author has them."""
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "grammar", root / "grammar")
    shutil.copytree(ROOT / "policies", root / "policies")
    return root


def test_commands_in_a_checkout_use_its_policy_and_say_so(capsys, monkeypatch, tmp_path):
    root = _checkout(tmp_path)
    policy = root / "policies/qzf-2023-12/policy.qz"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n这不是政策语言\n", encoding="utf-8")
    monkeypatch.chdir(root / "policies")
    code, _, err = run_main(capsys, monkeypatch, "check")
    assert code == 1, "the edited (broken) checkout file is checked, not the installed copy"
    assert "政策：../policies/qzf-2023-12/policy.qz" in err or "（本检出目录中的文件）" in err
    # --policy always wins.
    code, _, err = run_main(capsys, monkeypatch, "check", str(ROOT / "policies/qzf-2023-12/policy.qz"))
    assert code == 0 and "本检出目录" not in err


def test_outside_a_checkout_the_installed_policy_is_used_and_named(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(capsys, monkeypatch, "check")
    assert code == 0
    assert "（随 qzdsl 安装的副本）" in err


def test_show_never_cuts_an_identifier_on_a_narrow_terminal():
    policy = qzdsl.load()
    for width in (60, 80, 120, 160):
        console = Console(width=width, record=True, color_system=None)
        render_policy(policy, console)
        words = set(console.export_text().replace("│", " ").split())
        names = [*policy.facts, *policy.kinds, *(c.id for c in policy.clauses),
                 *(x.name for f in policy.facts.values() for x in f.members)]
        assert [n for n in names if n not in words] == [], f"cut at width {width}"


def test_show_list_format_has_one_line_per_declaration(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "show", "--format", "list")
    policy = qzdsl.load()
    assert code == 0 and out == render_list(policy)
    starts = {line.split(" — ")[0] for line in out.splitlines() if " — " in line}
    assert set(policy.facts) | {c.id for c in policy.clauses} | set(policy.kinds) <= starts


@pytest.mark.parametrize("kind", ["person", "enterprise", "mentor"])
def test_new_case_template_lists_every_fact_and_loads_as_an_empty_case(capsys, monkeypatch, tmp_path, kind):
    code, out, _ = run_main(capsys, monkeypatch, "new-case", kind)
    policy = qzdsl.load()
    assert code == 0 and out == case_template(policy, kind)
    facts = yaml.safe_load(out)["facts"]
    assert list(facts) == [f.name for f in policy.facts.values() if kind in f.kinds]
    for fact in policy.facts.values():
        if kind in fact.kinds:
            assert f"# {fact.label} — " in out
            if fact.question:
                assert " ".join(fact.question.split()) in out
    path = tmp_path / "case.yaml"
    path.write_text(out, encoding="utf-8")
    case = qzdsl.load_case(path, policy)
    assert (case.kind, case.facts) == (kind, {})


def test_new_case_takes_a_kinds_label_and_refuses_an_unknown_kind(capsys, monkeypatch):
    code, out, _ = run_main(capsys, monkeypatch, "new-case", "个人")
    assert code == 0 and "kind: person" in out
    code, _, err = run_main(capsys, monkeypatch, "new-case", "persn")
    assert code == 2 and "未知的申请主体类型 'persn'" in err and "person (个人)" in err


# Modules that a table or JSON `qzdsl eval` must never import: the audit, batch and HTML
# stacks, and pydantic (which typer >= 0.29 builds per parameter; pyproject bounds typer);
# the server's stack; and the standard library's `html` (HTML reports import it when they
# escape; docs/architecture.md, "Start-up").
_HEAVY = ("pydantic", "z3", "duckdb", "sqlglot", "networkx", "jinja2", "lark", "fastapi", "starlette", "uvicorn",
          "orjson", "html")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_eval_imports_only_what_it_needs(tmp_path, fmt):
    script = (
        "import sys, json\n"
        "from qzdsl.cli import main\n"
        "sys.argv = ['qzdsl', 'eval', sys.argv[1], '-f', sys.argv[2], '-o', sys.argv[3]]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = {**os.environ, "QZDSL_CACHE_DIR": str(tmp_path / "cache")}
    run = lambda: subprocess.run([sys.executable, "-c", script, str(CASE), fmt, str(tmp_path / "out")],  # noqa: E731
                                 capture_output=True, text=True, env=env, cwd=ROOT)
    run()  # the first run compiles the policy into the cache; an evaluation reads it
    result = run()
    assert result.returncode == 0, result.stderr
    imported = set(json.loads(result.stdout.splitlines()[-1]))
    assert imported.isdisjoint(_HEAVY), sorted(imported & set(_HEAVY))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_case_shows_the_dated_form_of_facts_read_period_by_period(capsys, monkeypatch, tmp_path, lang):
    code, out, _ = run_main(capsys, monkeypatch, "new-case", "person", "--lang", lang)
    policy = qzdsl.load()
    over_time = policy.facts_over_time("person")
    # The continuing conditions' facts and the head counts of recurring amounts.
    assert {"employer_pf_monthly", "employment", "family_members_in_quzhou"} <= set(over_time)
    assert "purchase_date" not in over_time and "graduation_date" not in over_time
    word = "可随时间变化" if lang == "zh" else "may change over time"
    lines = out.splitlines()
    marked = {lines[i + 1].strip().rstrip(":") for i, line in enumerate(lines) if word in line}
    assert marked == set(over_time)
    # The example given is a dated value the case reader accepts: filled in, it loads.
    example = next(line for line in lines if word in line and "300" in line)
    dated = example[example.index("{"):example.index("}") + 1]
    filled = out.replace("  employer_pf_monthly:\n", f"  employer_pf_monthly: {dated}\n")
    path = tmp_path / "case.yaml"
    path.write_text(filled, encoding="utf-8")
    case = qzdsl.load_case(path, policy)
    assert case.changes["employer_pf_monthly"][0][1] == 300
