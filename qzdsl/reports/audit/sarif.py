"""The audit as SARIF 2.1.0, for code-scanning dashboards: one run per audited policy.

The `rules` array always lists every rule qzdsl can report, in id order, so a rule's
index is as stable as its id. Columns count Unicode code points, like every qzdsl span.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from urllib.parse import quote

from qzdsl import __version__
from qzdsl.backends.audit.audit import AuditReport
from qzdsl.backends.audit.findings import RULES, Finding
from qzdsl.diagnostics import Severity, Span
from qzdsl.wording import audit as words

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INDEX = {rule.id: i for i, rule in enumerate(RULES)}


def _artifact(file: str) -> dict:
    """A file the findings point into. Relative paths are relative to the directory the
    audit ran in, named SRCROOT, so code-scanning tools can map them onto the repository."""
    path = PurePath(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "SRCROOT"}


def _location(span: Span) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(span.file),
            "region": {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
                       "endColumn": span.end_column},
        }
    }


def _rules(lang: str) -> list[dict]:
    return [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": words.rule_title(rule.id, lang)},
            "fullDescription": {"text": rule.title},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        }
        for rule in RULES
    ]


def _result(finding: Finding, lang: str) -> dict:
    result = {
        "ruleId": finding.rule,
        "ruleIndex": _INDEX[finding.rule],
        "level": _LEVEL[finding.severity],
        "message": {"text": words.message(finding, lang)},
        "locations": [_location(s) for s in finding.spans[:1]],
        # Stable across runs and unrelated edits: the rule and its clauses (or its arguments).
        "partialFingerprints": {"qzdsl/v1": _fingerprint(finding)},
    }
    if len(finding.spans) > 1:
        result["relatedLocations"] = [{"id": i, **_location(s)} for i, s in enumerate(finding.spans[1:], start=1)]
    properties = {"section": finding.section, "clauses": list(finding.clauses)}
    if finding.witness is not None:
        properties["witness"] = finding.witness.to_json()
    result["properties"] = properties
    return result


def _fingerprint(finding: Finding) -> str:
    subject = "|".join(finding.clauses) if finding.clauses else str(finding.args)
    return hashlib.sha256(f"{finding.rule}|{subject}".encode("utf-8")).hexdigest()[:32]


def sarif(reports: list[AuditReport], lang: str = "zh") -> dict:
    runs = [
        {
            "tool": {"driver": {"name": "qzdsl", "version": __version__, "rules": _rules(lang)}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "the directory qzdsl audit ran in"}}},
            "properties": {"policy": report.info.doc_number, "sha256": report.sha256},
            "results": [_result(f, lang) for f in report.findings],
        }
        for report in reports
    ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    return json.dumps(sarif(reports, lang), ensure_ascii=False, indent=2) + "\n"
