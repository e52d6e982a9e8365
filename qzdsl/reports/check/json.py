"""Diagnostics as JSON (schema "qzdsl.check.v1"): one object per checked policy file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from qzdsl.codes import CODES, Severity
from qzdsl.money import to_json
from qzdsl.diagnostics import Diagnostic, PathStyle, Span, Text

SCHEMA = "qzdsl.check.v1"


def location(span: Span, paths: PathStyle) -> dict:
    return {"file": paths.show(span.file), "line": span.line, "column": span.column, "end_line": span.end_line,
            "end_column": span.end_column}


def plain(value: object, paths: PathStyle | None = None) -> object:
    """An argument as a JSON value: a place in a file as its location."""
    match value:
        case Span():
            return location(value, paths or PathStyle())
        case Path():
            return (paths or PathStyle()).show(str(value))
        case bool() | int() | str() | None:
            return value
        case Decimal():
            return to_json(value)
        case dt.date():
            return value.isoformat()
        case tuple() | list():
            return [plain(v, paths) for v in value]
        case Text():
            return value.render("en")
    return str(value)


def diagnostic(d: Diagnostic, lang: str, paths: PathStyle) -> dict:
    return {
        "code": d.code,
        "name": CODES[d.code].name,
        "severity": d.severity.value,
        "title": CODES[d.code].title(lang),
        "message": d.message_in(lang, paths=paths),
        "hint": d.hint_in(lang, paths),
        "locations": [location(s, paths) for s in d.spans],
        "args": {name: plain(value, paths) for name, value in d.body.args},
    }


def summary(diagnostics) -> dict[str, int]:
    return {s.value: sum(1 for d in diagnostics if d.severity is s) for s in Severity}


def check_data(file: str, diagnostics, lang: str = "en", paths: PathStyle | None = None) -> dict:
    paths = paths or PathStyle()
    return {
        "schema": SCHEMA,
        "lang": lang,
        "file": paths.show(file),
        "summary": summary(diagnostics),
        "diagnostics": [diagnostic(d, lang, paths) for d in diagnostics],
    }


def render(results: list[tuple[str, tuple[Diagnostic, ...]]], lang: str = "en", paths: PathStyle | None = None) -> str:
    """One object for one file, an array for several."""
    data = [check_data(file, found, lang, paths) for file, found in results]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"
