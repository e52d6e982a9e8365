"""qzdsl: a rules-as-code compiler and audit tool for Chinese municipal policies.

    >>> import qzdsl
    >>> policy = qzdsl.load()                # the bundled 衢政发〔2023〕12号
    >>> policy.info.doc_number
    '衢政发〔2023〕12号'

The library is usable without the CLI (`qzdsl.api`): `load` returns a plain
`model.Policy`; `evaluate(policy, load_case("case.yaml", policy))` a `results.Decision`;
`check(path)` the diagnostics; `audit(path)` an `AuditReport`.
"""

import signal as _signal
import sys as _sys
from importlib import import_module


def _exit_130(signum, frame) -> None:
    raise SystemExit(130)


# Ctrl-C while the `qzdsl` command is still starting (importing Typer, Rich, the back ends)
# exits 130 quietly, not with a traceback; `cli.main` then installs `qzdsl.interrupt`'s
# handler. Only in the `qzdsl` command itself: a program importing qzdsl keeps its own.
def _is_the_command() -> bool:
    """Whether this process is `qzdsl …` or `python -m qzdsl …`."""
    program = _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if _sys.argv else ""
    given = list(getattr(_sys, "orig_argv", ()))
    return program in ("qzdsl", "qzdsl.exe") or (program == "-m" and given[given.index("-m") + 1:][:1] == ["qzdsl"])


if _is_the_command() and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _exit_130)

# The public names and the module each lives in. They are imported on first use, so that
# `import qzdsl` (and every CLI command) stays fast: the parser, Lark and the checks load
# only when a policy is actually compiled.
_EXPORTS = {
    "Case": "cases.case",
    "Decision": "backends.evaluator.results",
    "Policy": "model.policy",
    "AuditReport": "backends.audit.audit",
    "CheckResult": "language.loader",
    **{name: "api" for name in ("Diagnostic", "PathStyle", "QzError", "Severity", "Span", "audit", "check",
                                "evaluate", "load", "load_case", "case_from_dict")},
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # resolved once: `qzdsl.evaluate` in a loop costs no import
        return value
    raise AttributeError(f"module 'qzdsl' has no attribute {name!r}")
