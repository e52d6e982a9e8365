"""The installed package finds its grammar and bundled policy from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_grammar_and_bundled_policy(tmp_path):
    """A non-editable install must contain what `qzdsl check` reads at run time."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    if built.returncode != 0 and "No module named pip" in built.stderr:
        pytest.skip("pip is not available in this interpreter")
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("qzdsl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "qzdsl/grammar/qzdsl.lark" in names
    assert "qzdsl/policies/qzf-2023-12/policy.qz" in names
    assert "qzdsl/policies/qzf-2023-12/source.txt" in names


def test_check_runs_from_another_directory(tmp_path):
    """`qzdsl check` with no arguments checks the bundled policy wherever it is run."""
    env = {**os.environ, "PYTHONPATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", "from qzdsl.cli import main; main()", "check", "--lang", "en"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr
