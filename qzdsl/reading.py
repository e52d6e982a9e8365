"""Where qzdsl may read: a policy's imports, its official source text and a policy test's
case files resolve inside a root, and only regular files of bounded size are read.

The default root of a policy is the folder of policies it belongs to — the nearest
ancestor folder named `policies` (`policies/<name>/policy.qz` may import a sibling policy),
else the folder the policy file is in. `QZDSL_READ_ROOT` (folders separated by the path
separator, ':' on Linux) widens it; a program such as a server gives its own roots
(`Confinement(roots=...)`) and nothing outside them is ever read, whatever a file names.

Files are opened without following a FIFO's wait (O_NONBLOCK), checked to be regular
files (not /dev/zero, not a folder) and read up to `MAX_BYTES`; a symlink loop or a path
that is no file name is a reason, not a crash.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import field
from pathlib import Path

from qzdsl.frozen import frozen

MAX_BYTES = 16 * 1024 * 1024  # no policy, source text or case comes near; a 12 MB policy still reads
ROOT_ENV = "QZDSL_READ_ROOT"


class ReadRefused(Exception):
    """A file qzdsl will not or cannot read. `reason` is the reason in a few words, to be
    worded in the reader's language (a `diagnostics.Text` of key `read.<why>`); `str()`
    is its English."""

    def __init__(self, why: str, **args: object):
        from qzdsl.diagnostics import Text

        self.reason = Text(f"read.{why}", tuple(args.items()))
        super().__init__(self.reason.render("en"))


def default_root(path: str | Path) -> Path:
    """The folder of policies `path` belongs to: its nearest ancestor named `policies`,
    else its own folder."""
    folder = _resolve(Path(path)).parent
    for ancestor in (folder, *folder.parents):
        if ancestor.name == "policies":
            return ancestor
    return folder


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
        return Path(os.path.abspath(path))


def _env_roots() -> tuple[Path, ...]:
    configured = os.environ.get(ROOT_ENV, "")
    return tuple(_resolve(Path(p)) for p in configured.split(os.pathsep) if p)


@frozen
class Confinement:
    """The folders reading may take place in (resolved, symlinks followed) and the size limit."""

    roots: tuple[Path, ...] = ()
    max_bytes: int = MAX_BYTES
    _resolved: tuple[Path, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_resolved", tuple(_resolve(Path(r)) for r in self.roots))

    @staticmethod
    def around(*paths: str | Path | None) -> "Confinement":
        """The default for a command given these files: each one's default root, widened by
        `QZDSL_READ_ROOT`."""
        roots = [default_root(p) for p in paths if p is not None]
        return Confinement(tuple(dict.fromkeys([*roots, *_env_roots()])))

    def widened(self, *paths: str | Path | None) -> "Confinement":
        """This confinement with the default roots of more files the caller named itself."""
        roots = [default_root(p) for p in paths if p is not None]
        return Confinement(tuple(dict.fromkeys([*self.roots, *roots])), self.max_bytes)

    def allows(self, path: str | Path) -> bool:
        resolved = _resolve(Path(path))
        return any(resolved == root or resolved.is_relative_to(root) for root in self._resolved)

    def key(self) -> str:
        """The roots as text: part of a cache key, since they decide what may be read."""
        return "\0".join(str(r) for r in self._resolved) + f"\0{self.max_bytes}"

    def read_bytes(self, path: str | Path) -> bytes:
        """The bytes of a regular file inside the roots; `ReadRefused` with the reason otherwise."""
        resolved = _resolve(Path(path))
        # Checked before the file is looked at: whether a file exists outside is not told either.
        if not self.allows(resolved):
            raise ReadRefused("outside", env=ROOT_ENV)
        return read_regular(resolved, self.max_bytes)


# The system's reasons a file cannot be opened that a reader most often meets: worded in the
# reader's language (templates read.*), the system's own words in English.
_OS_REASONS = {errno.ENOENT: "missing", errno.ENOTDIR: "missing", errno.EACCES: "denied", errno.EPERM: "denied"}


def read_regular(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`: a FIFO, a device (/dev/zero), a
    folder or an oversized file is refused without blocking or reading it whole."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise ReadRefused("loop") from None
        raise ReadRefused(_OS_REASONS.get(exc.errno, "os"), reason=exc.strerror or str(exc)) from None
    except ValueError:
        raise ReadRefused("not_a_name") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused("folder" if stat.S_ISDIR(info.st_mode) else "not_regular")
        if info.st_size > max_bytes:
            raise ReadRefused("too_large", mb=max_bytes // (1024 * 1024))
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # grew while being read
                raise ReadRefused("too_large", mb=max_bytes // (1024 * 1024))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise ReadRefused("os", reason=exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def decode(data: bytes) -> str:
    """UTF-8 text, a leading byte-order mark dropped (some editors write one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadRefused("not_utf8") from None
