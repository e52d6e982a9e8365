"""Ctrl-C: every command stops within a second, with exit 130 and no partial output.

`qzdsl.cli.main` turns SIGINT into `Interrupted`, a BaseException that no `except
Exception` (Click's, Typer's, a library's) swallows. Work done in native code that does not
look at Python's signals — a DuckDB query, a z3 check — is made interruptible here: the
query runs in a worker thread while the main thread waits, and a z3 check cancelled by
Ctrl-C (z3 catches it itself) raises `Interrupted` when it returns. Outputs are written by
`qzdsl.output.staged`, which removes its temporary file on the way out, so the previous
file stays as it was.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class Interrupted(BaseException):
    """The user pressed Ctrl-C (SIGINT)."""


def _raise(signum, frame) -> None:
    raise Interrupted()


@contextlib.contextmanager
def sigint_raises() -> Iterator[None]:
    """Within the block, SIGINT raises `Interrupted` (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_cancellable(work: Callable[[], T], cancel: Callable[[], object], poll: Callable[[], object] | None = None,
                    every: float = 0.1) -> T:
    """Run `work()` in a worker thread while this thread stays responsive: on Ctrl-C,
    `cancel()` (e.g. `connection.interrupt()`) is called, the worker is waited for and
    `Interrupted` propagates. `poll()` is called every `every` seconds (a progress bar)."""
    outcome: dict[str, object] = {}
    # Waited for through an Event, never by interrupting Thread.join: a join that Ctrl-C
    # breaks into can leave the thread's state lock taken, and a later join return while
    # the work still runs (then the connection is still busy when it is closed).
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        while not done.wait(every):
            if poll is not None:
                poll()
    except BaseException:
        cancel()
        while not done.wait(every):
            pass
        # The work's own failure (the cancelled query) is dropped: the interrupt is what is said.
        outcome.clear()
        raise
    worker.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def check_z3_reason(reason: str) -> None:
    """z3 installs its own SIGINT handler during a check and returns 'unknown' with this
    reason when Ctrl-C cancelled it: that is the user's interrupt, not an undecided question."""
    if "interrupted" in reason:
        raise Interrupted()
