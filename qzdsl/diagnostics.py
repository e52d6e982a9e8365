"""The one diagnostic model: source spans, diagnostics, and their rendering as text.

Every problem qzdsl finds — in a policy file, a case file, a policy test file, or by the
audit — becomes a `Diagnostic` with a code from the one registry (`qzdsl.codes`), a
severity, a message (a template key and its arguments, worded in Chinese or English when
rendered), one or more spans, and hints. `render` prints it the way compilers do::

    policy.qz:12:14: error[QZ101]: undefined name 'no_hom'
       12 |     requires no_hom and non_public_employer
          |              ^^^^^^
       = hint: did you mean 'no_home'?

Spans keep file names as they were loaded (absolute); `PathStyle` makes them short only
when a diagnostic is rendered. The JSON and SARIF forms are in `qzdsl.reports.check`.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from dataclasses import field
from pathlib import Path
from typing import Any, Callable, Iterable

from qzdsl.frozen import frozen
from qzdsl.codes import CODES, MESSAGES, Severity
from qzdsl.resources import checkout_root, policies_dir

__all__ = ["CODES", "Diagnostic", "PathStyle", "QzError", "Severity", "Span", "Text", "Word", "diagnostic", "error",
           "warning", "did_you_mean", "render", "render_all"]


@frozen(order=True, compiled_init=True)
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


@frozen
class PathStyle:
    """How file names are shown. A bundled policy file is named from the policies folder
    (`qzf-2023-12/policy.qz`), wherever qzdsl is installed — and so is the same file in the
    source checkout the command runs in (which commands use by default, `default_policy_path`),
    so that the two name it alike; another file relative to `base` (default: the working
    directory at rendering time) when it lies under it, else as loaded."""

    base: Path | None = None

    def place(self, file: str) -> tuple[str | None, str]:
        """(root, name): root "bundled" or "base" with a relative name, or None with the
        file name as loaded."""
        path = Path(file)
        if not file or not path.is_absolute():
            return None, file
        try:
            bundled = policies_dir()
        except FileNotFoundError:
            bundled = None
        checkout = checkout_root()
        in_checkout = checkout / "policies" if checkout is not None else None
        base = (self.base or Path.cwd()).resolve()
        for root, folder in (("bundled", bundled), ("bundled", in_checkout), ("base", base)):
            if folder is not None and path.is_relative_to(folder):
                return root, path.relative_to(folder).as_posix()
        return None, file

    def show(self, file: str) -> str:
        return self.place(file)[1]

    def location(self, span: Span) -> str:
        return f"{self.show(span.file)}:{span.line}:{span.column}"


@frozen
class Text:
    """A sentence to be worded in the reader's language: a `codes.MESSAGES` key and the
    arguments its template takes. Key "" is text given as is (argument `message`)."""

    key: str
    args: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def plain(text: str) -> "Text":
        return Text("", (("message", text),))

    def render(self, lang: str = "en", value: "ValueFormatter | None" = None, paths: "PathStyle | None" = None) -> str:
        """The sentence in `lang` (English where no template in `lang` exists yet). A
        `Span` or `Path` argument is named by `paths`; other arguments shown by `value`."""
        args = dict(self.args)
        templates = MESSAGES.get(self.key)
        if templates is None:
            return str(args.get("message", self.key))
        template = templates.get(lang) or templates["en"]
        shown = value or plain_value
        paths = paths or PathStyle()
        return template.format_map(_Arguments({
            name: paths.location(v) if isinstance(v, Span) else paths.show(str(v)) if isinstance(v, Path)
            else shown(name, v, lang) for name, v in args.items()}))

    def __str__(self) -> str:
        return self.render()


@frozen
class Word:
    """A word of the wording layer's one table (`qzdsl.wording.labels`) given as a message
    argument — a type, a cadence, a unit of time — and shown in the reader's language."""

    key: str

    def render(self, lang: str = "en") -> str:
        from qzdsl.wording.labels import label  # data only; imported when a message is worded

        return label(self.key, lang)

    def __str__(self) -> str:
        return self.render()


ValueFormatter = Callable[[str, object, str], str]


class _Arguments(dict):
    """A template's arguments; one its caller did not give shows as a dash, not a crash."""

    def __missing__(self, name: str) -> str:
        return "—"


def plain_value(name: str, value: object, lang: str) -> str:
    """An argument as a message shows it, when the caller knows no better (the audit's
    wording formats money, amounts and durations its own way)."""
    if isinstance(value, (tuple, list)):
        return ("、" if lang == "zh" else ", ").join(plain_value(name, v, lang) for v in value)
    if isinstance(value, (Text, Word)):
        return value.render(lang)
    return str(value)


@frozen
class Diagnostic:
    """One problem or fact found in a policy, a case file, a test file, or by the audit.

    `body` is the message (a template key and its arguments); `spans` are the places it
    is about, the primary one first (file names as loaded: absolute or as given, made
    relative only when rendered); `section` and `clauses` name what it is about in the
    policy; `witness` is an example case that shows it, when the audit found one."""

    code: str
    severity: Severity
    body: Text
    spans: tuple[Span, ...] = ()
    suggestion: Text | None = None
    notes: tuple["Text | str", ...] = field(default=())
    section: str = ""
    clauses: tuple[str, ...] = ()
    witness: Any = None

    @property
    def span(self) -> Span | None:
        return self.spans[0] if self.spans else None

    @property
    def args(self) -> dict[str, object]:
        return dict(self.body.args)

    @property
    def message(self) -> str:
        """The message in English."""
        return self.body.render("en")

    @property
    def hint(self) -> str | None:
        """The hint in English, if any."""
        return self.suggestion.render("en") if self.suggestion else None

    def message_in(self, lang: str, value: ValueFormatter | None = None, paths: PathStyle | None = None) -> str:
        return self.body.render(lang, value, paths)

    def hint_in(self, lang: str, paths: PathStyle | None = None) -> str | None:
        return self.suggestion.render(lang, paths=paths) if self.suggestion else None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        span = self.span or Span("", 0, 0, 0, 0)
        return (span.file, span.line, span.column, self.code, self.clauses, self.body.key, repr(self.body.args))

    def headline(self, lang: str = "en", paths: "PathStyle | None" = None) -> str:
        span = self.span
        where = f"{(paths or PathStyle()).location(span)}: " if span else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message_in(lang, paths=paths)}"


def _text(message: "str | Text | None", key: str, args: dict) -> Text:
    if isinstance(message, Text):
        return message
    if message is None:
        return Text(key, tuple(args.items()))
    return Text.plain(message)


def diagnostic(code: str, message: "str | Text | None" = None, span: Span | None = None,
               hint: "str | Text | None" = None, *, severity: Severity | None = None, spans: Iterable[Span | None] = (),
               variant: str = "", section: str = "", clauses: Iterable[str] = (), witness: Any = None,
               **args: object) -> Diagnostic:
    """A diagnostic of a registered code. Without `message`, the message is the code's
    template (`CODE.variant` with a variant) filled with `args`; a plain string is taken
    as the English message as it stands."""
    if code not in CODES:
        raise KeyError(f"unregistered diagnostic code {code}")
    placed = tuple(s for s in ((span,) if span else ()) + tuple(spans) if s is not None)
    key = f"{code}.{variant}" if variant else code
    return Diagnostic(code, severity or CODES[code].severity, _text(message, key, args), placed,
                      Text.plain(hint) if isinstance(hint, str) else hint, (), section, tuple(clauses), witness)


def error(code: str, message: "str | Text | None" = None, span: Span | None = None,
          hint: "str | Text | None" = None, **args: object) -> Diagnostic:
    return diagnostic(code, message, span, hint, severity=Severity.ERROR, **args)


def warning(code: str, message: "str | Text | None" = None, span: Span | None = None,
            hint: "str | Text | None" = None, **args: object) -> Diagnostic:
    return diagnostic(code, message, span, hint, severity=Severity.WARNING, **args)


def at_or_above(diagnostics: Iterable[Diagnostic], level: Severity) -> bool:
    """Whether any diagnostic is as severe as `level` or more."""
    return any(d.severity.rank >= level.rank for d in diagnostics)


class QzError(Exception):
    """Raised when input cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


def did_you_mean(name: str, candidates: Iterable[str]) -> Text | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return Text("hint.did_you_mean", (("name", matches[0]),)) if matches else None


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


def render(diagnostic: Diagnostic, sources: dict[str, str], lang: str = "en",
           paths: PathStyle | None = None) -> str:
    """The headline, the source line with a caret under the span, then hint and notes.
    `sources` maps file names (as in the spans) to their text."""
    lines = [diagnostic.headline(lang, paths)]
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
        text = note.render(lang, paths=paths) if isinstance(note, Text) else note
        lines.append(f"   = {'注' if lang == 'zh' else 'note'}: {text}")
    if diagnostic.suggestion:
        lines.append(f"   = {'提示' if lang == 'zh' else 'hint'}: {diagnostic.hint_in(lang, paths)}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic], sources: dict[str, str], lang: str = "en",
               paths: PathStyle | None = None) -> str:
    return "\n\n".join(render(d, sources, lang, paths) for d in diagnostics)
