"""The public library: the calls a program makes to use qzdsl without the CLI. Each returns
plain data (a compiled `Policy`, a `CheckResult`, a `Case`, a `Decision`, an `AuditReport`)
and raises `QzError`, carrying every diagnostic, when its input cannot be used.

    >>> import qzdsl
    >>> policy = qzdsl.load()                      # the bundled 衢政发〔2023〕12号, cached
    >>> qzdsl.check().ok
    True

Heavy modules (the parser, z3, DuckDB) are imported inside the calls that need them, so
that `import qzdsl` and `evaluate` stay fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from qzdsl.diagnostics import Diagnostic, PathStyle, QzError, Severity, Span

if TYPE_CHECKING:
    from qzdsl.backends.audit.audit import AuditReport
    from qzdsl.backends.evaluator.results import Decision
    from qzdsl.cases.case import Case
    from qzdsl.language.loader import CheckResult
    from qzdsl.model.policy import Policy
    from qzdsl.reading import Confinement

__all__ = ["Diagnostic", "PathStyle", "QzError", "Severity", "Span", "audit", "check", "evaluate", "load",
           "load_case", "case_from_dict"]


def load(path: str | Path | None = None, also: tuple[str | Path, ...] = (), *, cache: bool = True,
         confinement: Confinement | None = None) -> Policy:
    """The compiled policy of `path` (default: the bundled 衢政发〔2023〕12号), with the
    policy files `also` loaded as if it imported them. From the on-disk cache when the
    files and qzdsl are unchanged (`cache=False`: always compile). Raises `QzError` when
    the policy does not check."""
    if cache:
        from qzdsl.cache import load as cached

        return cached(path, also, confinement)
    from qzdsl.language.loader import load as compile_policy

    return compile_policy(path, also, confinement)


def check(path: str | Path | None = None, text: str | None = None, also: tuple[str | Path, ...] = (),
          confinement: Confinement | None = None, english: bool = False) -> CheckResult:
    """Parse and check a policy file without compiling it: its diagnostics (errors and
    warnings, `result.ok` when there is no error) and the texts they point into. `text`
    stands for the file's content when given; `english`: also warn where a label has no
    English words (QZ113)."""
    from qzdsl.language.loader import check as check_policy

    return check_policy(path, text, also, confinement, english)


def load_case(path: str | Path, policy: Policy) -> Case:
    """A case file (YAML, or JSON when it ends in .json) read and validated against the
    policy's facts."""
    from qzdsl.cases.case import load_case as read_case

    return read_case(path, policy)


def case_from_dict(data: dict, policy: Policy, path: str | None = None) -> Case:
    """A case given as plain data (as a case file or a form would hold it), validated by
    the same rules as a file."""
    from qzdsl.cases.case import case_from_dict as from_dict

    return from_dict(data, policy, path)


def evaluate(policy: Policy, case: Case, as_of: dt.date | None = None) -> Decision:
    """Every clause the case's kind of applicant can receive, decided at `as_of` (default:
    the case's own date, else today): status, amounts, schedule, reasons and trace."""
    from qzdsl.backends.evaluator.evaluator import evaluate as decide

    return decide(policy, case, as_of)


def audit(path: str | Path | None = None) -> AuditReport:
    """Check, compile and audit a policy file (default: the bundled policy): overlaps with
    their witnesses, resolutions, impossible and dominated clauses, and the encoding checks
    as findings (`report.findings`, each a `Diagnostic`)."""
    from qzdsl.backends.audit.audit import audit_file

    return audit_file(path)
