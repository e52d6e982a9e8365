"""Running the `qzdsl` console entry point inside a test, as the shell would."""

from __future__ import annotations

import sys

from qzdsl import cli


def run_main(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """Run `qzdsl ARGS…` through `cli.main`: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["qzdsl", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err
