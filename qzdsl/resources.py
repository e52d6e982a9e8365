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


def checkout_root(start: Path | None = None) -> Path | None:
    """The qzdsl source checkout that `start` (default: the working directory) lies in, if
    any: the nearest folder upwards that holds the grammar and the bundled policy, as a
    checkout does. A policy author editing `policies/…/policy.qz` there expects commands
    run in the checkout to use that file, not the copy installed in site-packages."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        policy = folder / "policies" / DEFAULT_POLICY / "policy.qz"
        if (folder / "grammar" / "qzdsl.lark").is_file() and policy.is_file():
            return folder
    return None


def default_policy_path() -> tuple[Path, bool]:
    """The policy a command uses when none is named, and whether it is a checkout's own
    (True) rather than the copy installed with qzdsl (False)."""
    root = checkout_root()
    if root is not None:
        return root / "policies" / DEFAULT_POLICY / "policy.qz", True
    return bundled_policy_path(), False
