"""Compiled policies kept on disk between runs, so that a command which only evaluates
(`qzdsl eval`) skips reading, parsing, checking and compiling the policy.

What an entry holds (docs/architecture.md, "Where qzdsl reads and writes"): the compiled
policy (pickled), or (`remember`) SQL compiled for it, as JSON, qzdsl's code fingerprint,
and the SHA-256 of the exact bytes of every file it was compiled from (policy files,
imports, source texts — read once, hashed, then compiled, so a file saved mid-compile
leaves an entry that no longer matches). An entry is
used while every one of those files still has that digest and qzdsl is unchanged.

A pickle can execute code when loaded, so an entry is loaded only when all of these hold:
the cache folder and the entry are owned by the current user and writable by no one else,
the entry is a regular file (not a symlink), and its HMAC-SHA256, keyed with a random
secret kept in the folder (`key`, mode 0600, same checks), matches. An entry planted by
someone else, or corrupted, is ignored and recompiled.

Entries live in `$QZDSL_CACHE_DIR`, else `$XDG_CACHE_HOME/qzdsl`, else `~/.cache/qzdsl`;
setting `QZDSL_CACHE_DIR` to the empty string turns the cache off. Any problem with the
cache (unwritable, full, foreign, corrupt, stale) falls back to compiling.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from qzdsl.model import policy as m
from qzdsl.resources import bundled_policy_path, grammar_path
from qzdsl.reading import Confinement, ReadRefused, read_regular

_FORMAT = 3  # 3: spans name files absolutely
_MAGIC = b"qzdsl-cache\0"
_PACKAGE = Path(__file__).resolve().parent  # the qzdsl package: its code is part of the key
SUFFIX = ".entry"
SQL_SUFFIX = ".sql.json"  # `remember`: SQL compiled for a policy


def load(path: str | Path | None = None, also: tuple[str | Path, ...] = (),
         confinement: Confinement | None = None) -> m.Policy:
    """`loader.load(path, also, confinement)`, from the cache when the policies and qzdsl
    are unchanged."""
    targets = [Path(path) if path is not None else bundled_policy_path(), *map(Path, also)]
    confinement = confinement if confinement is not None else Confinement.around(*targets)
    directory = _directory()
    secret = _secret(directory) if directory is not None else None
    if secret is None:
        return _compile(path, also, confinement)[0]
    # Spans in the compiled policy name files absolutely, so the working directory is no
    # part of the key; what may be read (the confinement) decides whether it compiles at all.
    named = "\0".join(str(t.resolve()) for t in targets)
    key = hashlib.sha256(f"{_FORMAT}\0{confinement.key()}\0{named}".encode()).hexdigest()
    entry = directory / f"{key}{SUFFIX}"
    policy = _read(entry, secret)
    if policy is None:
        policy, digests = _compile(path, also, confinement)
        _write(entry, secret, policy, digests)
    return policy


def _compile(path, also, confinement: Confinement) -> tuple[m.Policy, tuple[tuple[str, str], ...]]:
    """The compiled policy, and the digest of every file's bytes as they were compiled."""
    from qzdsl.diagnostics import QzError
    from qzdsl.language.compiler import compile_program
    from qzdsl.language.loader import check

    result = check(path, also=also, confinement=confinement)
    if not result.ok:
        raise QzError(result.errors)
    return compile_program(result.program), tuple(sorted(result.program.digests.items()))


def _directory() -> Path | None:
    configured = os.environ.get("QZDSL_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qzdsl"


def _private(info: os.stat_result) -> bool:
    """Owned by the current user and writable by no one else."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _secret(directory: Path) -> bytes | None:
    """The folder's HMAC key, made on first use; None when the folder is not private."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or not _private(info):
            return None
        key_file = directory / "key"
        if not os.path.lexists(key_file):
            _make_secret(key_file)
        secret = _private_bytes(key_file)
        # A key of another length was never written whole: no cache, rather than a weak key.
        return secret if secret is not None and len(secret) == _SECRET_BYTES else None
    except OSError:
        return None


_SECRET_BYTES = 32


def _make_secret(key_file: Path) -> None:
    """Write a new random key whole, or not at all: written to a temporary file and linked
    to its name (a full disk leaves no key, never a short one; of two processes making it
    at once, the first link wins and both use it)."""
    import tempfile  # only when a cache folder is new

    fd, name = tempfile.mkstemp(prefix=".key.", suffix=".tmp", dir=key_file.parent)
    try:
        try:
            data = secrets.token_bytes(_SECRET_BYTES)
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(name, key_file)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _private_bytes(path: Path) -> bytes | None:
    """The content of a regular file that is not a symlink and is private to the user."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _private(info):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _code_fingerprint() -> tuple:
    """What the compiled form depends on in qzdsl itself: its modules and the grammar
    (each file's path, size and modification time). Walked with os.scandir and one stat a
    file: this runs on every `qzdsl eval`, and pathlib's rglob took ~2 ms of it."""
    files = []
    folders = [str(_PACKAGE)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    files.append(entry.path)
    files.sort()
    files.append(str(grammar_path()))
    return tuple((f, (info := os.stat(f)).st_size, info.st_mtime_ns) for f in files)


def _digest(path: str) -> str:
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except ReadRefused:
        return ""


def _read(entry: Path, secret: bytes) -> m.Policy | None:
    data = _private_bytes(entry)
    if data is None or not data.startswith(_MAGIC):
        return None
    mac, payload = data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
    if not hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()):
        return None  # not written by this user's qzdsl: never unpickled
    try:
        version, code, digests, policy = pickle.loads(payload)
    except Exception:  # written by us, yet unreadable (another qzdsl version): recompile
        return None
    if version != _FORMAT or code != _code_fingerprint():
        return None
    if any(_digest(name) != digest for name, digest in digests):
        return None
    return policy


def _write(entry: Path, secret: bytes, policy: m.Policy, digests) -> None:
    from qzdsl.output import CannotWrite, write_bytes

    payload = pickle.dumps((_FORMAT, _code_fingerprint(), digests, policy), pickle.HIGHEST_PROTOCOL)
    try:
        # Atomic and cleaned up: a full disk leaves neither a partial entry nor a temporary file.
        write_bytes(entry, _MAGIC + hmac.new(secret, payload, hashlib.sha256).digest() + payload)
        os.chmod(entry, 0o600)
    except (CannotWrite, OSError):
        return  # a cache that cannot be written is no cache; compiling still works


def remember(key: tuple[str, ...], build: Callable[[], dict]) -> dict:
    """`build()` — a JSON mapping of text, such as the SQL compiled for a policy — kept
    between runs under `key`, which must name everything the result depends on (the
    policy's SHA-256 included; qzdsl's own code is added here). Entries are SQL that will
    be run, so they are trusted as compiled policies are: a private folder and file, and
    this folder's HMAC."""
    directory = _directory()
    secret = _secret(directory) if directory is not None else None
    if secret is None:
        return build()
    name = hashlib.sha256("\0".join((str(_FORMAT), repr(_code_fingerprint()), *key)).encode()).hexdigest()
    entry = directory / f"{name}{SQL_SUFFIX}"
    data = _private_bytes(entry)
    if data is not None and data.startswith(_MAGIC):
        mac, payload = data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
        if hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()):
            try:
                return json.loads(payload)
            except ValueError:
                pass  # ours, yet unreadable: build it again
    value = build()
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    from qzdsl.output import CannotWrite, write_bytes

    try:
        write_bytes(entry, _MAGIC + hmac.new(secret, payload, hashlib.sha256).digest() + payload)
        os.chmod(entry, 0o600)
    except (CannotWrite, OSError):
        pass  # a cache that cannot be written is no cache
    return value
