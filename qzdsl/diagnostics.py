"""Source spans, diagnostics and their rendering.

Every problem qzdsl finds in a policy file or a case file becomes a `Diagnostic`
with a stable code. `render` prints it the way compilers do::

    policy.qz:12:14: error[QZ101]: undefined name 'no_hom'
       12 |     requires no_hom and non_public_employer
          |              ^^^^^^
       = hint: did you mean 'no_home'?
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file; lines and columns are 1-based, columns count characters."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(file: str, line: int, column: int, width: int = 1) -> "Span":
        return Span(file, line, column, line, column + width)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# The one registry of diagnostic codes: code -> short English title. SARIF rules,
# the docs and the tests read it from here.
CODES: dict[str, str] = {
    "QZ001": "syntax error",
    "QZ002": "unexpected character",
    "QZ003": "unexpected end of file",
    "QZ010": "cannot read file",
    "QZ011": "import cycle",
    "QZ101": "undefined name",
    "QZ102": "duplicate name",
    "QZ103": "unknown section",
    "QZ104": "unknown applicant kind",
    "QZ105": "unknown enumeration member",
    "QZ106": "property not allowed here",
    "QZ107": "duplicate property",
    "QZ108": "missing property",
    "QZ109": "unknown keyword value",
    "QZ110": "missing policy header",
    "QZ111": "declaration without a label",
    "QZ201": "type error",
    "QZ202": "mixed periods",
    "QZ203": "invalid amount",
    "QZ204": "invalid date",
    "QZ205": "cycle among definitions",
    "QZ206": "invalid duration",
    "QZ207": "fact of another applicant kind",
    "QZ208": "definitions nested too deeply",
    "QZ301": "quote not in source",
    "QZ302": "quote outside its section",
    "QZ303": "amount not in quote",
    "QZ304": "uncovered source sentence",
    "QZ305": "amount of a cited sentence not encoded",
    "QZ306": "missing citation",
    "QZ307": "source text unavailable",
    "QZ401": "malformed case file",
    "QZ402": "unknown fact",
    "QZ403": "wrong fact type",
    "QZ404": "invalid date in case",
    "QZ405": "unknown applicant kind in case",
    "QZ406": "fact not asked of this applicant kind",
    "QZ501": "malformed test file",
    "QZ502": "unknown clause in a test",
    "QZ503": "unknown status in a test",
    "QZ504": "invalid amount in a test",
    "QZ505": "case file of a test not found",
    "QZ506": "clause not of the test's applicant kind",
    "QZ507": "test without an evaluation date",
    "QZ508": "duplicate test name",
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        span = self.span or Span("", 0, 0, 0, 0)
        return (span.file, span.line, span.column, self.code, self.message)

    def headline(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message}"


def error(code: str, message: str, span: Span | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


class QzError(Exception):
    """Raised when input cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def display_width(text: str) -> int:
    """Terminal columns taken by `text` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Memoised: lowering asks for the lines of the same file once per expression node, and
# re-splitting made checking quadratic in the file's size. Callers only read the list.
@functools.lru_cache(maxsize=16)
def lines_of(text: str) -> list[str]:
    """The lines of a source text as spans count them: split at '\\n' only (the parser
    takes a form feed for white space, not for a line break), without the '\\r' of CRLF."""
    return [line.removesuffix("\r") for line in text.split("\n")]


_WIDEST = 160  # characters of a source line shown under a diagnostic


def render(diagnostic: Diagnostic, sources: dict[str, str]) -> str:
    """The headline, the source line with a caret under the span, then hint and notes."""
    lines = [diagnostic.headline()]
    span = diagnostic.span
    text = sources.get(span.file) if span else None
    if span and text is not None:
        source_lines = lines_of(text)
        if 1 <= span.line <= len(source_lines):
            line = source_lines[span.line - 1].replace("\t", " ")
            gutter = str(span.line)
            pad = " " * len(gutter)
            start = max(span.column - 1, 0)
            end = span.end_column - 1 if span.end_line == span.line else len(line)
            end = max(min(end, len(line)), start + 1)
            if len(line) > _WIDEST:  # a machine-written line: show a window around the span
                left = max(0, start - _WIDEST // 4)
                end = min(end, left + _WIDEST - 1)
                line = ("…" if left else "") + line[left:left + _WIDEST] + "…"
                shift = left - (1 if left else 0)
                start, end = start - shift, end - shift
            lines.append(f" {gutter} | {line}")
            caret = " " * display_width(line[:start]) + "^" * max(display_width(line[start:end]), 1)
            lines.append(f" {pad} | {caret}")
    for note in diagnostic.notes:
        lines.append(f"   = note: {note}")
    if diagnostic.hint:
        lines.append(f"   = hint: {diagnostic.hint}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic], sources: dict[str, str]) -> str:
    return "\n\n".join(render(d, sources) for d in diagnostics)
