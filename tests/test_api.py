"""The public library (`qzdsl.api`, re-exported by `qzdsl`): usable without the CLI, plain
data out; file names kept absolute in what it returns and made short only when rendered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import qzdsl
from qzdsl.diagnostics import PathStyle


def test_every_public_name_resolves():
    for name in qzdsl.__all__:
        assert getattr(qzdsl, name) is not None
    with pytest.raises(AttributeError):
        qzdsl.no_such_name  # noqa: B018


def test_importing_qzdsl_loads_no_parser_or_solver():
    code = "import sys, qzdsl; print(sorted(m for m in ('lark', 'z3', 'duckdb') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_load_check_evaluate_and_audit_without_the_cli(root):
    policy = qzdsl.load()
    assert policy.info.doc_number == "衢政发〔2023〕12号"
    assert qzdsl.check().ok
    case = qzdsl.load_case(root / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml", policy)
    decision = qzdsl.evaluate(policy, case)
    assert any(r.status.value == "granted" for r in decision.results)
    report = qzdsl.audit()
    assert report.findings and all(isinstance(f, qzdsl.Diagnostic) for f in report.findings)


def test_a_cached_load_is_the_compiled_policy(cache_dir):
    first = qzdsl.load()
    assert list(cache_dir.iterdir()), "the compiled policy is kept"
    assert qzdsl.load() == first == qzdsl.load(cache=False)


def test_spans_name_files_absolutely_and_rendering_makes_them_short():
    policy = qzdsl.load()
    assert all(Path(c.span.file).is_absolute() for c in policy.clauses)
    main = [c.span for c in policy.clauses if Path(c.span.file).parent.name == "qzf-2023-12"]
    assert main and all(PathStyle().location(s).startswith("qzf-2023-12/policy.qz:") for s in main)


def test_the_cache_entry_does_not_depend_on_the_working_directory(cache_dir, tmp_path):
    qzdsl.load()
    entries = sorted(p.name for p in cache_dir.iterdir())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-c", "import qzdsl; qzdsl.load()"], cwd=elsewhere, check=True,
                   env={**os.environ, "QZDSL_CACHE_DIR": str(cache_dir)})
    assert sorted(p.name for p in cache_dir.iterdir()) == entries


def test_check_reports_diagnostics_as_data(fixtures):
    result = qzdsl.check(fixtures / "broken" / "undefined_name.qz")
    assert not result.ok
    (found,) = result.errors
    assert (found.code, found.severity, found.args["name"]) == ("QZ101", qzdsl.Severity.ERROR, "low_income_familly")
    assert found.message_in("zh") == "未定义的名称“low_income_familly”"
    assert found.hint_in("en") == "did you mean 'low_income_family'?"


def test_a_policy_that_does_not_check_raises_with_every_error(fixtures):
    with pytest.raises(qzdsl.QzError) as caught:
        qzdsl.load(fixtures / "broken" / "undefined_name.qz", cache=False)
    assert [d.code for d in caught.value.diagnostics] == ["QZ101"]
