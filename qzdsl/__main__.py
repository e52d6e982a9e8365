import signal


def _exit_130(signum, frame) -> None:
    raise SystemExit(130)


# Ctrl-C while `python -m qzdsl` is still importing exits 130 quietly (see qzdsl/__init__.py).
signal.signal(signal.SIGINT, _exit_130)

from qzdsl.cli import main  # noqa: E402

main()
