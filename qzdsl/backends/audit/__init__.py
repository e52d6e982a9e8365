"""Analyses of a compiled policy. The audit (`qzdsl.analysis.audit`: `audit_file`, `audit`)
finds the clauses that can pay one applicant for the same need, decides each pair with
z3, and returns an `AuditReport` of plain data; `qzdsl.reports.audit_*` render it."""

from qzdsl.backends.audit.audit import AuditReport, audit_file

__all__ = ["AuditReport", "audit_file"]
