"""Amounts in words, Chinese or English, for every report."""

from __future__ import annotations

from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.wording import terms


def yuan(value: Decimal | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    text = f"{value:,}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{text}元" if lang == "zh" else f"¥{text}"


def describe_amount(a: m.AmountSpec, lang: str = "zh", head_label: str | None = None,
                    rate_label: str | None = None) -> str:
    """E.g. 每年最高8,000元/人，最长3年 / up to ¥8,000 per year per head, at most 3 years.

    `head_label` names the per-head count in words, `rate_label` the money fact an amount
    is taken from (default: their identifiers)."""
    zh = lang == "zh"
    if a.kind is m.AmountKind.NONE:
        return "非货币" if zh else "non-monetary"
    if a.kind is m.AmountKind.RULE:
        return (f"按规定（{a.rule}）" if zh else f"by rule ({a.rule})") if a.rule else ("按规定" if zh else "by rule")
    cadence = terms.cadence(a.cadence, lang)
    if a.fact is not None:
        stated = rate_label or a.fact
        stated = (stated if stated.startswith("按") else f"按{stated}") if zh else f"as stated in '{stated}'"
        core = stated if a.kind is m.AmountKind.FIXED else (f"最高{stated}" if zh else f"up to the amount {stated}")
    elif a.kind is m.AmountKind.FIXED:
        core = yuan(a.low, lang)
    elif a.kind is m.AmountKind.UP_TO:
        core = f"最高{yuan(a.high, lang)}" if zh else f"up to {yuan(a.high, lang)}"
    elif a.kind is m.AmountKind.AT_LEAST:
        core = f"不低于{yuan(a.low, lang)}" if zh else f"at least {yuan(a.low, lang)}"
    else:
        core = f"{yuan(a.low, lang)}—{yuan(a.high, lang)}" if zh else f"{yuan(a.low, lang)}–{yuan(a.high, lang)}"
    parts = [f"{cadence}{core}" if zh else f"{core} {cadence}"]
    if a.per_head:
        head = head_label or a.per_head
        parts.append(f"按{head}每人" if zh else f"per head of {head}")
    if a.cap is not None:
        scope_name = a.cap_scope or "total"
        scope = ("累计" if zh else "in total") if scope_name == "total" else terms.cadence(scope_name, lang)
        parts.append(f"{scope}最高{yuan(a.cap, lang)}" if zh else f"capped at {yuan(a.cap, lang)} {scope}")
    if a.max_text:
        longest = terms.written_duration(a.max_text, lang)
        parts.append(f"最长{longest}" if zh else f"at most {longest}")
    return "，".join(parts) if zh else ", ".join(parts)
