"""Diagnostics as SARIF 2.1.0, for code-scanning dashboards; the audit's SARIF is built
from the same pieces.

The `rules` array of a run lists every code its tool can report, in id order, so a rule's
index is as stable as its id. Columns count Unicode code points, like every qzdsl span.
File names relative to the working directory carry the uriBaseId SRCROOT, bundled policy
files QZDSL_POLICIES, others an absolute file URI.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import Callable, Iterable
from urllib.parse import quote

from qzdsl import __version__
from qzdsl.codes import CODES, Severity
from qzdsl.diagnostics import Diagnostic, PathStyle, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# The codes `qzdsl check` can report: everything but the audit's own findings.
CHECK_CODES: tuple[str, ...] = tuple(c for c in CODES if CODES[c].family != "audit")
_BASE = {"base": "SRCROOT", "bundled": "QZDSL_POLICIES"}
BASE_IDS = {
    "SRCROOT": {"description": {"text": "the directory qzdsl ran in"}},
    "QZDSL_POLICIES": {"description": {"text": "the policies bundled with qzdsl"}},
}


def artifact(file: str, paths: PathStyle) -> dict:
    root, name = paths.place(file)
    if root is not None:
        return {"uri": quote(name), "uriBaseId": _BASE[root]}
    path = PurePath(name)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "SRCROOT"}


def location(span: Span, paths: PathStyle) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": artifact(span.file, paths),
            "region": {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
                       "endColumn": span.end_column},
        }
    }


def rules(codes: Iterable[str], lang: str) -> list[dict]:
    return [
        {
            "id": code,
            "name": CODES[code].name,
            "shortDescription": {"text": CODES[code].title(lang)},
            "fullDescription": {"text": CODES[code].full_description},
            "defaultConfiguration": {"level": LEVEL[CODES[code].severity]},
        }
        for code in codes
    ]


def fingerprint(d: Diagnostic, paths: PathStyle) -> str:
    """Stable across runs, checkouts and unrelated edits: the code and its clauses (or
    its message, with file names as shown)."""
    subject = "|".join(d.clauses) if d.clauses else d.message_in("en", paths=paths)
    return hashlib.sha256(f"{d.code}|{subject}".encode("utf-8")).hexdigest()[:32]


def result(d: Diagnostic, index: dict[str, int], message: str, paths: PathStyle) -> dict:
    found = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": LEVEL[d.severity],
        "message": {"text": message},
        "locations": [location(s, paths) for s in d.spans[:1]],
        "partialFingerprints": {"qzdsl/v1": fingerprint(d, paths)},
    }
    if len(d.spans) > 1:
        found["relatedLocations"] = [{"id": i, **location(s, paths)} for i, s in enumerate(d.spans[1:], start=1)]
    return found


def run(codes: tuple[str, ...], diagnostics: Iterable[Diagnostic], lang: str, paths: PathStyle,
        message: Callable[[Diagnostic, str], str], properties: Callable[[Diagnostic], dict] | None = None) -> dict:
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in diagnostics:
        found = result(d, index, message(d, lang), paths)
        if properties is not None:
            found["properties"] = properties(d)
        results.append(found)
    return {
        "tool": {"driver": {"name": "qzdsl", "version": __version__, "rules": rules(codes, lang)}},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": BASE_IDS,
        "results": results,
    }


def document(runs: list[dict]) -> dict:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def _message(d: Diagnostic, lang: str) -> str:
    hint = d.hint_in(lang)
    return f"{d.message_in(lang)} ({hint})" if hint else d.message_in(lang)


def render(results: list[tuple[str, tuple[Diagnostic, ...]]], lang: str = "en", paths: PathStyle | None = None) -> str:
    """One run per checked policy file."""
    paths = paths or PathStyle()
    runs = []
    for file, found in results:
        one = run(CHECK_CODES, found, lang, paths, _message)
        one["properties"] = {"file": paths.show(file)}
        runs.append(one)
    return json.dumps(document(runs), ensure_ascii=False, indent=2) + "\n"
