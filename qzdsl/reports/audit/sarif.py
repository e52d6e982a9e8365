"""The audit as SARIF 2.1.0, for code-scanning dashboards: one run per audited policy,
built from the same pieces as `qzdsl check --format sarif` (`reports.check.sarif`)."""

from __future__ import annotations

import json

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.codes import AUDIT_CODES
from qzdsl.diagnostics import Diagnostic, PathStyle
from qzdsl.reports.check import sarif as base
from qzdsl.wording import audit as words

SCHEMA_URI = base.SCHEMA_URI


def _properties(finding: Diagnostic) -> dict:
    properties = {"section": finding.section, "clauses": list(finding.clauses)}
    if finding.witness is not None:
        properties["witness"] = finding.witness.to_json()
    return properties


def sarif(reports: list[AuditReport], lang: str = "zh", paths: PathStyle | None = None) -> dict:
    runs = []
    for report in reports:
        def message(d: Diagnostic, lang: str, policy=report.policy) -> str:
            return words.message(d, lang, policy)

        run = base.run(AUDIT_CODES, report.findings, lang, paths or PathStyle(), message, _properties)
        run["properties"] = {"policy": report.info.doc_number, "sha256": report.sha256}
        runs.append(run)
    return base.document(runs)


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    return json.dumps(sarif(reports, lang), ensure_ascii=False, indent=2) + "\n"
