"""The audit in words, shared by every report format: finding messages, headings, the
grouping of findings by section, the responsibility matrix. Chinese by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from typing import TYPE_CHECKING

from qzdsl.codes import CODES
from qzdsl.diagnostics import Diagnostic, PathStyle, Severity, Span, Text, plain_value
from qzdsl.model import policy as m
from qzdsl.wording import terms
from qzdsl.wording.amounts import describe_amount, yuan
from qzdsl.wording.conditions import VERBS, Phrasing
from qzdsl.wording.labels import label

if TYPE_CHECKING:  # the audit's records are read, never built, here: no import upwards at run time
    from qzdsl.backends.audit.audit import AuditReport

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def text(key: str, lang: str) -> str:
    return label(f"audit.{key}", lang)


def translation_note(lang: str) -> str:
    """What an English report says of its translations: the Chinese text is the authority."""
    return label("translation_note", lang)


def rule_title(rule: str, lang: str) -> str:
    return CODES[rule].title(lang)


def severity(value: Severity, lang: str) -> str:
    return terms.severity(value, lang)


def location(span: Span | None, paths: PathStyle | None = None) -> str:
    return (paths or PathStyle()).location(span) if span else ""


def duration(written: str, lang: str) -> str:
    """'10 years' -> 10年 / 10 years."""
    return terms.written_duration(written, lang)


def why(reason: str, lang: str, policy: m.Policy | None = None) -> str:
    """Why a pair was a candidate, in words: 同属排斥组“购房支持”, 同属二（十）,
    同以“购房日期”为起算日期, 满足同一需要“在衢购房” (a group without a label is not named)."""
    kind, _, name = reason.partition(":")
    if kind in ("anchor", "need") and policy is not None:
        name = policy.label(name)
    elif kind == "group":
        found = policy.group_label(name) if policy is not None else None
        name = "" if not found else (f"“{found}”" if lang == "zh" else f" “{found}”")
    return text(f"why.{kind}", lang).format(name=name)


class _Phrases:
    """The arguments of one finding in words, from the audited policy's labels."""

    def __init__(self, code: str, lang: str, policy: m.Policy | None):
        self.code, self.lang, self.policy = code, lang, policy
        self.words = Phrasing(policy, lang) if policy is not None else None

    def plain(self, prose: str) -> str:
        return self.words.plain(prose) if self.words is not None else prose

    def atom(self, atom: m.Atom) -> str:
        """A conjunct of when a clause applies, as a sentence: “…”要求就业状态为灵活就业."""
        policy = self.policy
        if policy is None:
            return atom.technical
        title = policy.label(atom.clause)
        if atom.role is m.AtomRole.BENEFICIARY:
            return text("atom.beneficiary", self.lang).format(title=title, kind=policy.label(atom.kind or ""))
        if atom.expr is None:
            return atom.technical
        statement = self.words.holds(atom.expr, True)
        right = atom.expr.right if isinstance(atom.expr, m.Cmp) else None
        date = right.value if isinstance(right, m.Const) else ""
        return text(f"atom.{atom.role}", self.lang).format(title=title, statement=statement, date=date)

    def amount(self, amount: m.AmountSpec) -> str:
        policy = self.policy
        head = policy.label(amount.per_head) if policy is not None and amount.per_head else None
        rate = policy.label(amount.fact) if policy is not None and amount.fact else None
        return describe_amount(amount, self.lang, head_label=head, rate_label=rate)

    def value(self, name: str, value: object, lang: str) -> str:
        separator = "；" if lang == "zh" else "; "
        match value:
            case None:
                return "—"
            case bool():
                return str(value).lower()
            case Decimal():
                return yuan(value, lang)
            case dt.date():
                return value.isoformat()
            case m.AmountSpec():
                return self.amount(value)
            case tuple() if name == "why":
                return separator.join(why(v, lang, self.policy) for v in value)
            case tuple() if name == "reason":
                return separator.join(self.atom(a) if isinstance(a, m.Atom) else str(a) for a in value)
            case tuple():
                return plain_value(name, value, lang)
            case str() if name == "max":
                return duration(value, lang)
            case str() if name == "after_end":  # the recorded reading, in words
                return label(f"eval.after_end.{value}", lang)
            case str() if name == "question" and self.code == "QZA011":  # which question z3 gave up on
                return text(f"question.{value}", lang)
            case str() if name in ("question", "reading", "text"):  # the encoder's prose
                return self.plain(value)
        return str(value)


def message(finding: Diagnostic, lang: str = "zh", policy: m.Policy | None = None) -> str:
    """The finding as one sentence, phrased from the labels of `policy` (the audited
    one): conditions as sentences, never an identifier or an expression of the policy
    language. Without the policy, arguments are shown as they are."""
    phrases = _Phrases(finding.code, lang, policy)
    if finding.code.startswith("QZA"):
        extra = (("witness", text("witness_found", lang) if finding.witness else ""),
                 ("tie", text("tie", lang) if finding.args.get("tie") else ""))
        body = Text(finding.body.key, finding.body.args + extra)
        return body.render(lang, lambda name, value, lang: value if name in ("witness", "tie") else
                           phrases.value(name, value, lang))
    # An encoding check's hint tells the encoder what to write (JSON's `hint` keeps it).
    return finding.message_in(lang, phrases.value)


def short(finding: Diagnostic, lang: str = "zh", policy: m.Policy | None = None) -> str:
    """A finding in a line of the summary: a recorded ambiguity by its question (the
    reading follows in the details), any other by its message."""
    if finding.code == "QZA009":
        args = finding.args
        question = _Phrases(finding.code, lang, policy).plain(str(args.get("question", "")))
        return f"“{args.get('subject_title', '')}”：{question}" if lang == "zh" else \
            f"{args.get('subject_title', '')}: {question}"
    return message(finding, lang, policy)


def counts(findings) -> dict[Severity, int]:
    return {s: sum(1 for f in findings if f.severity is s) for s in SEVERITIES}


def section_heading(report: AuditReport, key: str, lang: str) -> str:
    if not key:
        return text("general", lang)
    section = dict(report.sections).get(key)
    return f"{key} {section.title}" if section else key


@dataclass(frozen=True)
class SectionFindings:
    key: str
    heading: str
    findings: tuple[Diagnostic, ...]


def by_section(report: AuditReport, lang: str) -> tuple[SectionFindings, ...]:
    """Findings grouped by section: policy-wide first, then sections in declaration order;
    within a group the most severe first, then by location."""
    order = {"": -1} | {key: i for i, (key, _) in enumerate(report.sections)}
    keys = sorted({f.section for f in report.findings}, key=lambda k: order.get(k, len(order)))
    groups = []
    for key in keys:
        found = sorted((f for f in report.findings if f.section == key),
                       key=lambda f: (-f.severity.rank, f.sort_key()))
        groups.append(SectionFindings(key, section_heading(report, key, lang), tuple(found)))
    return tuple(groups)


@dataclass(frozen=True)
class ResponsibilityRow:
    key: str
    title: str
    lead: str | None
    cells: tuple[str, ...]  # per unit: "lead", "member" or ""


def responsibility(report: AuditReport) -> tuple[tuple[str, ...], tuple[ResponsibilityRow, ...]]:
    """Every unit named (in order of first mention) and, per section that names units,
    which of them leads and which take part."""
    units: list[str] = []
    for _, section in report.sections:
        for unit in ([section.lead] if section.lead else []) + list(section.units):
            if unit not in units:
                units.append(unit)
    rows = []
    for key, section in report.sections:
        if not section.lead and not section.units:
            continue
        cells = tuple("lead" if u == section.lead else "member" if u in section.units else "" for u in units)
        rows.append(ResponsibilityRow(key, section.title, section.lead, cells))
    return tuple(units), tuple(rows)


def target_value(target: m.Target, lang: str = "zh") -> str:
    """A target's goal in words: 不少于100000人 / at least 100000 人."""
    value = target.value
    shown = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    verb = VERBS[lang]["number"].get(target.op, target.op)
    unit = target.unit or ""
    return f"{verb}{shown}{unit}" if lang == "zh" else f"{verb.removeprefix('is ')} {shown} {unit}".rstrip()


# ---- the one-page summary ----------------------------------------------------------------

# The rules a reviewer acts on first, before the recorded readings (QZA009) and the notes.
_ATTENTION_ORDER = ("QZA001", "QZA006", "QZA011", "QZ301", "QZ303", "QZA005", "QZA010", "QZ302", "QZ304", "QZ305",
                    "QZ306", "QZ307", "QZA009")


@dataclass(frozen=True)
class RuleCount:
    code: str
    title: str
    severity: Severity
    count: int


@dataclass(frozen=True)
class Summary:
    """What the first printed page of an audit says: the verdict, the figures, the findings
    per rule, and the findings to act on first (at most `ATTENTION` of them)."""

    verdict: str
    figures: tuple[tuple[str, int], ...]
    rules: tuple[RuleCount, ...]
    attention: tuple[Diagnostic, ...]
    more: int  # errors and warnings not listed in `attention`


ATTENTION = 4


def summary(report: AuditReport, lang: str) -> Summary:
    found = counts(report.findings)
    errors, warnings = found[Severity.ERROR], found[Severity.WARNING]
    if errors:
        verdict = text("verdict.errors", lang).format(errors=errors, warnings=warnings)
    elif warnings:
        verdict = text("verdict.warnings", lang).format(warnings=warnings)
    else:
        verdict = text("verdict.clean", lang)
    by_code: dict[str, list[Diagnostic]] = {}
    for finding in report.findings:
        by_code.setdefault(finding.code, []).append(finding)
    rules = sorted((RuleCount(code, rule_title(code, lang), items[0].severity, len(items))
                    for code, items in by_code.items()), key=lambda r: (-r.severity.rank, r.code))
    coverage = report.coverage
    figures = (
        ("clauses", coverage.clauses),
        ("candidate_pairs", coverage.candidate_pairs),
        ("resolved", len(by_code.get("QZA002", ()))),
        ("stacked", len(by_code.get("QZA003", ()))),
        ("disjoint", coverage.disjoint),
        ("ambiguities", len(by_code.get("QZA009", ()))),
        ("left_to_rules", len(by_code.get("QZA007", ()))),
        ("discretionary", len(by_code.get("QZA008", ()))),
        ("uncited_sentences", coverage.uncited_sentences),
    )
    rank = {code: i for i, code in enumerate(_ATTENTION_ORDER)}
    serious = [f for f in report.findings if f.severity is not Severity.INFO]
    serious.sort(key=lambda f: (-f.severity.rank, rank.get(f.code, len(rank)), f.sort_key()))
    return Summary(verdict, tuple((text(f"figure.{name}", lang), value) for name, value in figures), tuple(rules),
                   tuple(serious[:ATTENTION]), max(0, len(serious) - ATTENTION))
