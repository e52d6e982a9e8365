"""The one way qzdsl writes: files replaced atomically, stdout as UTF-8 bytes, the terminal
through one sanitiser.

A file is written to a temporary file in the target's own folder, flushed and fsync'ed,
then renamed over the target: a run that is killed, interrupted or runs out of disk leaves
the old file as it was and no temporary file behind. Targets are checked before a command
does its work (`check_target`): a folder, an unwritable file or folder, or one of the
command's own inputs is refused with `CannotWrite`, which the CLI prints as
`error: cannot write FILE: reason` (exit 1).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from qzdsl.escape import terminal


class CannotWrite(Exception):
    """An output that cannot be written. `why` names the reason in the wording layer
    (`wording.cli.MESSAGES["cannot_write.<why>"]`, filled with `args`); without it,
    `reason` is the system's own words. `message(lang)` is the one line the CLI prints;
    `str()` is its English."""

    def __init__(self, path: str | Path, reason: str, why: str | None = None, **args: object):
        self.path = str(path)
        self.reason = reason
        self.why = why
        self.args_ = args
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        from qzdsl.wording.cli import message

        reason = message(f"cannot_write.{self.why}", lang, **self.args_) if self.why else self.reason
        return message("cannot_write", lang, path=terminal(self.path), reason=reason)


def _refuse(path: Path, why: str, **args: object) -> CannotWrite:
    """A refusal for one of the reasons the wording layer words (`CannotWrite.why`)."""
    from qzdsl.wording.cli import message

    return CannotWrite(path, message(f"cannot_write.{why}", "en", **args), why, **args)


def reason_of(exc: OSError) -> str:
    """Why an OS call failed, in the system's few words ('No space left on device')."""
    return exc.strerror or str(exc)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_target(path: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Refuse, before any work, an output the command could not write or must not write:
    a folder, a file in a missing or unwritable folder, a read-only file, or one of the
    command's inputs (the same file under any name: same device and inode)."""
    path = Path(path)
    if str(path) == "":
        raise _refuse(path, "no_name")
    try:
        info = path.stat() if path.exists() else None
    except (OSError, ValueError) as exc:
        raise (CannotWrite(path, reason_of(exc)) if isinstance(exc, OSError) else _refuse(path, "not_a_name")) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "is_folder")
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise _refuse(path, "is_input")
    folder = path.parent
    if not folder.is_dir():
        raise _refuse(path, "no_folder", folder=terminal(str(folder)))
    # The mode bits too: root may write anything, yet a file marked read-only is meant to stay.
    if info is not None and (not os.access(path, os.W_OK) or not info.st_mode & 0o222):
        raise _refuse(path, "read_only")
    if info is None or stat.S_ISREG(info.st_mode):  # replaced by a rename: the folder must take it
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _refuse(path, "denied", folder=terminal(str(folder)))
    return path


def check_folder(path: str | Path) -> Path:
    """An output folder (e.g. `--witness-dir`): an existing folder, or one that can be made."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise _refuse(path, "is_file")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise _refuse(path, "denied", folder=terminal(str(existing)))
    return path


def _is_special(path: Path) -> bool:
    """An existing device or pipe (/dev/null, a FIFO): written in place, never renamed over."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _mode_for(path: Path) -> int:
    """The permissions the new file gets: the old file's, else the usual ones under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def staged(path: str | Path) -> Iterator[Path]:
    """A temporary file in `path`'s folder for the caller (or a library such as DuckDB) to
    write; when the block ends normally it is fsync'ed and renamed over `path`, when it
    raises (or is interrupted) it is removed and `path` is untouched. OS errors become
    `CannotWrite`."""
    path = Path(path)
    if _is_special(path):
        yield path
        return
    _sweep(path)
    import tempfile  # only when a file is written: `qzdsl eval` to the terminal writes none

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{_HOST}-{os.getpid()}-", suffix=".tmp",
                                    dir=path.parent or ".")
    except OSError as exc:
        raise CannotWrite(path, reason_of(exc)) from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
        _fsync_folder(path.parent)
    except OSError as exc:
        _remove(temporary)
        raise CannotWrite(path, reason_of(exc)) from None
    except BaseException:
        _remove(temporary)
        raise


# A temporary file is named for its target, this machine and this process, so that one
# left by a process that was killed (SIGKILL, power loss: nothing can remove it then) is
# known as such and removed by the next write to the same target.
_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", os.uname().nodename if hasattr(os, "uname") else "host") or "host"
_LEFT_BEHIND = re.compile(r"(?P<host>.+)-(?P<pid>[0-9]+)-[A-Za-z0-9_]+")


def _sweep(path: Path) -> None:
    """Remove the temporary files of `path` left by processes of this machine that no
    longer run."""
    start = f".{path.name}."
    try:
        names = [n for n in os.listdir(path.parent or ".") if n.startswith(start) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        match = _LEFT_BEHIND.fullmatch(name[len(start):-len(".tmp")])
        if match and match["host"] == _HOST and not _running(int(match["pid"])):
            _remove((path.parent or Path(".")) / name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's, or not ours to judge: left alone
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every file system lets a folder be fsync'ed."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace `path` by `data`, atomically (see `staged`)."""
    path = Path(path)
    with staged(path) as temporary:
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
        except OSError as exc:
            raise CannotWrite(path, reason_of(exc)) from None


def write_text(path: str | Path, text: str) -> None:
    """Replace `path` by `text` in UTF-8, atomically."""
    write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def text_file(path: str | Path) -> Iterator[IO[str]]:
    """A UTF-8 text handle whose content replaces `path` when the block ends normally."""
    with staged(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            yield handle


# ---- standard output ----------------------------------------------------------------------


def stdout_bytes(text: str) -> None:
    """Machine formats (JSON, SARIF, Markdown, HTML, SQL, …) go to stdout as UTF-8 bytes
    whatever the console's encoding, in one write, flushed at once so that a full device
    or a closed pipe is noticed here, not at interpreter exit."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (a test harness): it takes str
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def console(file: IO[str] | None = None, **options):
    """A rich console whose printed text goes through the terminal sanitiser: a case name,
    a fact key or a policy string cannot carry an escape sequence to the terminal. Every
    table qzdsl prints to a terminal (eval, audit, show, batch summaries) comes from here."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def _render_buffer(self, buffer):
            # Control segments are rich's own cursor moves; every other segment's text is
            # content, sanitised before its style's escape codes are put around it.
            return super()._render_buffer(
                segment if segment.control else Segment(terminal(segment.text), segment.style, None)
                for segment in buffer)

    # No console markup either: a policy string like "[link=…]" stays text, not a hyperlink.
    options.setdefault("markup", False)
    return SafeConsole(file=file, **options)


def degrade_console_streams() -> None:
    """A console that cannot encode Chinese (PYTHONIOENCODING=ascii, a GBK console)
    shows '?' for what it cannot encode instead of failing: the terminal table degrades,
    machine formats bypass it as UTF-8 bytes (`stdout_bytes`)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")


def silence_stdout() -> None:
    """After a broken pipe or a full device: point stdout at /dev/null so that the flush at
    interpreter exit does not fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def is_broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)
