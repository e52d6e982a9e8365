"""Shared pytest fixtures: where the repository and the test fixtures are, a private cache
directory for every test, and the `qzdsl` command run as the shell would run it.

No test changes the working directory: qzdsl names files absolutely when it loads them
and makes them short only when it renders, so tests pass absolute paths and compare what
`PathStyle` shows. Fixtures used by a single test module live in that module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """The fixtures cite the bundled policy's source text from outside its folder of
    policies: the suite reads inside the whole checkout, as a project would set
    QZDSL_READ_ROOT (docs/architecture.md). Confinement tests set their own."""
    os.environ["QZDSL_READ_ROOT"] = str(ROOT)
    # A decision record carries the time of evaluation: pinned, so reports are byte-stable.
    os.environ["SOURCE_DATE_EPOCH"] = "1717200000"


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository's top folder."""
    return ROOT


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """tests/fixtures: policies, cases and test files the tests read."""
    return ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """A compiled-policy cache of the test's own, so that no test reads an entry another
    test (or the user's own runs) left behind."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `qzdsl ARGS…` through the console entry point `cli.main`, as the shell would:
    returns (exit code, stdout, stderr)."""
    from cli_runner import run_main

    def run(*args: str | Path) -> tuple[int, str, str]:
        return run_main(capsys, monkeypatch, *map(str, args))

    return run
