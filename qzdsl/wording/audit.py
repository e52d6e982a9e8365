"""The audit in words, shared by every report format: finding messages, headings, the
grouping of findings by section, the responsibility matrix. Chinese by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from typing import TYPE_CHECKING

from qzdsl.codes import CODES
from qzdsl.diagnostics import Diagnostic, PathStyle, Severity, Span, Text
from qzdsl.model import policy as m
from qzdsl.wording import terms
from qzdsl.wording.amounts import describe_amount, yuan
from qzdsl.wording.conditions import VERBS
from qzdsl.wording.labels import label

if TYPE_CHECKING:  # the audit's records are read, never built, here: no import upwards at run time
    from qzdsl.backends.audit.audit import AuditReport

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def text(key: str, lang: str) -> str:
    return label(f"audit.{key}", lang)


def rule_title(rule: str, lang: str) -> str:
    return CODES[rule].title(lang)


def severity(value: Severity, lang: str) -> str:
    return terms.severity(value, lang)


def location(span: Span | None, paths: PathStyle | None = None) -> str:
    return (paths or PathStyle()).location(span) if span else ""


def duration(written: str, lang: str) -> str:
    """'10 years' -> 10年 / 10 years."""
    return terms.written_duration(written, lang)


def why(reason: str, lang: str) -> str:
    """Why a pair was a candidate, in words ("group:x" -> 同组x)."""
    kind, _, name = reason.partition(":")
    return text(f"why.{kind}", lang).format(name=name)


def _value(name: str, value: object, lang: str) -> str:
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
            return describe_amount(value, lang)
        case tuple() if name == "why":
            return separator.join(why(v, lang) for v in value)
        case tuple():
            return separator.join(str(v) for v in value)
        case str() if name == "max":
            return duration(value, lang)
        case str() if name == "after_end":  # the recorded reading, in words
            return label(f"eval.after_end.{value}", lang)
    return str(value)


def message(finding: Diagnostic, lang: str = "zh") -> str:
    """The finding as one sentence."""
    if finding.code.startswith("QZA"):
        extra = (("witness", finding.witness.filename if finding.witness else "—"),
                 ("tie", text("tie", lang) if finding.args.get("tie") else ""))
        body = Text(finding.body.key, finding.body.args + extra)
        return body.render(lang, lambda name, value, lang: value if name in ("witness", "tie") else
                           _value(name, value, lang))
    sentence = finding.message_in(lang, _value)
    hint = finding.hint_in(lang)
    return f"{sentence} ({hint})" if hint else sentence


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
