"""Where the grammar and the bundled policies are, installed or in a checkout.

In a wheel they are copied into the package (`qzdsl/grammar`, `qzdsl/policies`); in a
source checkout they sit at the repository's top level beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

DEFAULT_POLICY = "qzf-2023-12"


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qzdsl is installed without its {name}/ directory")


def grammar_path() -> Path:
    return _data_dir("grammar") / "qzdsl.lark"


def policies_dir() -> Path:
    return _data_dir("policies")


def bundled_policy_path(name: str = DEFAULT_POLICY) -> Path:
    return policies_dir() / name / "policy.qz"
