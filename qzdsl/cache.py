"""Compiled policies kept on disk between runs, so that a command which only evaluates
(`qzdsl eval`) skips reading, parsing, checking and compiling the policy.

An entry is valid while every file the policy was compiled from (the policy files, their
imports and their official source texts) has the same SHA-256, and qzdsl's own code and
grammar are unchanged. Entries live in `$QZDSL_CACHE_DIR`, else `$XDG_CACHE_HOME/qzdsl`,
else `~/.cache/qzdsl` — a directory of the user's own, since entries are pickles. Setting
`QZDSL_CACHE_DIR` to the empty string turns the cache off. Any problem with the cache
(unwritable, corrupt, stale) falls back to compiling.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from qzdsl.model import policy as m
from qzdsl.resources import bundled_policy_path, grammar_path

_FORMAT = 2  # 2: spans name files absolutely
_PACKAGE = Path(__file__).resolve().parent  # the qzdsl package: its code is part of the key


def load(path: str | Path | None = None, also: tuple[str | Path, ...] = ()) -> m.Policy:
    """`loader.load(path, also)`, from the cache when the policies and qzdsl are unchanged."""
    directory = _directory()
    if directory is None:
        return _compile(path, also)
    targets = [Path(path) if path is not None else bundled_policy_path(), *map(Path, also)]
    # Spans in the compiled policy name files absolutely, so the working directory is no
    # part of the key: the same policy is one entry wherever qzdsl runs.
    named = "\0".join(str(t.resolve()) for t in targets)
    key = hashlib.sha256(f"{_FORMAT}\0{named}".encode()).hexdigest()
    entry = directory / f"{key}.pickle"
    policy = _read(entry)
    if policy is None:
        policy = _compile(path, also)
        _write(entry, policy)
    return policy


def _compile(path: str | Path | None, also: tuple[str | Path, ...]) -> m.Policy:
    from qzdsl.language.loader import load as compile_policy

    return compile_policy(path, also)


def _directory() -> Path | None:
    configured = os.environ.get("QZDSL_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qzdsl"


def _code_fingerprint() -> tuple:
    """What the compiled form depends on in qzdsl itself: its modules and the grammar."""
    files = sorted(_PACKAGE.rglob("*.py")) + [grammar_path()]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def _sources(policy: m.Policy) -> tuple[tuple[str, str], ...]:
    """Every file the policy was compiled from, with its SHA-256."""
    paths = [Path(name) for name in policy.files]
    for info in (*policy.imports, policy.info):
        if info.source_path:
            paths.append(Path(info.path).parent / info.source_path)
    return tuple((str(p.resolve()), _digest(p)) for p in paths)


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _read(entry: Path) -> m.Policy | None:
    try:
        with entry.open("rb") as handle:
            version, code, sources, policy = pickle.load(handle)
    except Exception:  # a missing, truncated or foreign entry: whatever went wrong, recompile
        return None
    if version != _FORMAT or code != _code_fingerprint():
        return None
    if any(_digest(Path(name)) != digest for name, digest in sources):
        return None
    return policy


def _write(entry: Path, policy: m.Policy) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((_FORMAT, _code_fingerprint(), _sources(policy), policy), pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile("wb", dir=entry.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, entry)
    except OSError:
        return  # a cache that cannot be written is no cache; compiling still works
