"""Shared pytest configuration. Fixtures used by a single test module live in that module."""

import os
from pathlib import Path


def pytest_configure(config):
    """The fixtures cite the bundled policy's source text from outside its folder of
    policies: the suite reads inside the whole checkout, as a project would set
    QZDSL_READ_ROOT (docs/architecture.md). Confinement tests set their own."""
    os.environ["QZDSL_READ_ROOT"] = str(Path(__file__).resolve().parent.parent)
