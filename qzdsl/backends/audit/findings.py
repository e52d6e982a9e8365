"""What the audit reports: rules with stable ids and severities, and findings against them.

A finding carries language-neutral arguments; the reports turn them into Chinese or
English sentences (`qzdsl.reports.audit_text`). Rule ids never change meaning: CI
configurations and SARIF baselines refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from qzdsl.diagnostics import CODES, Diagnostic, Severity, Span
from qzdsl.backends.audit.witness import Witness


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # SARIF's rule name: a PascalCase identifier
    severity: Severity  # the default; encoding checks (QZ3xx) carry their own per finding
    title: str  # English short description


AUDIT_RULES: tuple[Rule, ...] = (
    Rule("QZA001", "PossibleDoublePayment", Severity.ERROR,
         "two clauses can pay one applicant for the same need and no resolution is declared"),
    Rule("QZA002", "OverlapResolvedByExclusion", Severity.INFO,
         "overlap resolved by 从优、从高、不重复: only the more favourable clause is paid"),
    Rule("QZA003", "OverlapDeclaredStackable", Severity.INFO, "overlap declared stackable: both are paid"),
    Rule("QZA004", "ProvenDisjoint", Severity.INFO, "related clauses proven never to apply together"),
    Rule("QZA005", "DominatedClause", Severity.WARNING,
         "whenever the clause applies a conflicting one pays at least as much: it is never paid"),
    Rule("QZA006", "ClauseNeverApplies", Severity.ERROR, "the clause can never apply"),
    Rule("QZA007", "ExistingRuleDependency", Severity.INFO, "the amount is left to existing or implementing rules"),
    Rule("QZA008", "DiscretionaryAmount", Severity.INFO, "the amount or the grant is discretionary"),
    Rule("QZA009", "RecordedAmbiguity", Severity.WARNING, "the encoding records an ambiguity of the text"),
    Rule("QZA010", "DurationOutrunsTrial", Severity.WARNING, "the maximum duration outruns the section's trial"),
    Rule("QZA011", "Undecided", Severity.WARNING, "the solver could not decide a question"),
)

# The encoding checks the audit repeats (citations QZ301–QZ303, coverage QZ304–QZ307).
ENCODING_CODES: tuple[str, ...] = tuple(code for code in CODES if code.startswith("QZ3"))
_ENCODING_DEFAULTS = {"QZ301": Severity.ERROR, "QZ303": Severity.ERROR, "QZ306": Severity.ERROR}


def _pascal(title: str) -> str:
    return "".join(word.capitalize() for word in title.replace("'", "").split())


# Every rule any finding can cite, in id order: SARIF's `rules` array (indexes are stable).
RULES: tuple[Rule, ...] = AUDIT_RULES + tuple(
    Rule(code, _pascal(CODES[code]), _ENCODING_DEFAULTS.get(code, Severity.WARNING), CODES[code])
    for code in ENCODING_CODES
)
RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Finding:
    """One reported problem or fact. `section` is the key of the section it belongs to
    ("" when policy-wide); `args` are the message's parameters (strings, numbers,
    Decimals for money, dates, tuples of strings)."""

    rule: str
    severity: Severity
    spans: tuple[Span, ...]
    section: str
    clauses: tuple[str, ...] = ()
    args: tuple[tuple[str, object], ...] = ()
    witness: Witness | None = None

    @property
    def arg(self) -> dict[str, object]:
        return dict(self.args)

    def sort_key(self) -> tuple:
        span = self.spans[0] if self.spans else Span("", 0, 0, 0, 0)
        return (span.file, span.line, span.column, self.rule, self.clauses)


def finding(rule: str, spans, section: str, clauses=(), witness: Witness | None = None, **args) -> Finding:
    """A finding of an audit rule at its default severity."""
    return Finding(rule, RULE_BY_ID[rule].severity, tuple(s for s in spans if s is not None), section,
                   tuple(clauses), tuple(args.items()), witness)


def from_diagnostic(diagnostic: Diagnostic, section: str) -> Finding:
    """An encoding-check diagnostic as a finding, with the diagnostic's own severity."""
    args = [("message", diagnostic.message)]
    if diagnostic.hint:
        args.append(("hint", diagnostic.hint))
    spans = (diagnostic.span,) if diagnostic.span else ()
    return Finding(diagnostic.code, diagnostic.severity, spans, section, (), tuple(args))


def at_or_above(findings, level: Severity) -> bool:
    """Whether any finding is as severe as `level` or more."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[level] for f in findings)
