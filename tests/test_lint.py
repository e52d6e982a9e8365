"""The lint step: ruff, configured in pyproject.toml, finds nothing in the package, the
tests or the benchmarks. Ruff is a test extra (`pip install -e '.[test]'`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def _ruff() -> list[str] | None:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        found = shutil.which("ruff")
        return [found] if found else None
    return [str(find_ruff_bin())]


def test_ruff_finds_nothing(root):
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed: pip install -e '.[test]'")
    result = subprocess.run([*ruff, "check", "--no-cache", "qzdsl", "tests", "benchmarks"], cwd=root,
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr
