"""Reports are UTF-8 bytes whatever the console's code page: piped on a Chinese-Windows
console (GBK) or an ASCII one, json, md, html and sarif on stdout are the same UTF-8 bytes
as the file --out writes, and the terminal table degrades instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "policies" / "qzf-2023-12" / "cases" / "graduate-homebuyer.yaml"


def run(encoding: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LANG": "C", "LC_ALL": "C"}
    return subprocess.run([sys.executable, "-m", "qzdsl", *args], capture_output=True, timeout=180, env=env)


# Each format once, under one of the two code pages (the audit is slow to run twice more).
CASES = [("gbk", ("eval", str(CASE), "--format", "html")), ("ascii", ("eval", str(CASE), "--format", "html")),
         ("ascii", ("eval", str(CASE), "--format", "md")), ("gbk", ("eval", str(CASE), "--format", "json")),
         ("gbk", ("audit", "--format", "sarif")), ("ascii", ("audit", "--format", "html"))]


@pytest.mark.parametrize(("encoding", "command"), CASES, ids=lambda c: c if isinstance(c, str) else f"{c[0]}-{c[-1]}")
def test_stdout_is_the_utf8_the_file_holds(encoding, command, tmp_path):
    out = tmp_path / "report"
    piped = run(encoding, *command, "--lang", "zh")
    run("utf-8", *command, "--lang", "zh", "--out", str(out))
    assert b"Traceback" not in piped.stderr
    assert piped.stdout == out.read_bytes()
    piped.stdout.decode("utf-8")  # strict: UTF-8, whatever the console
    if command[-1] == "html":
        assert b'<meta charset="utf-8">' in piped.stdout


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_the_terminal_table_degrades_gracefully(encoding):
    done = run(encoding, "eval", str(CASE), "--lang", "zh")
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert done.stdout.strip()
