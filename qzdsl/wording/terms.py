"""The words every report, batch summary and analysis shares: statuses and the order a
reader meets them in, cadences, duration units, clause kinds, kinds of money. Each is a
label in `labels.LABELS` (zh and en); this module names the keys once."""

from __future__ import annotations

from qzdsl.wording.labels import label

# The order a caseworker reads verdicts in: what is paid first, what is not paid last.
STATUS_ORDER = ("granted", "excluded", "undetermined", "ineligible", "inapplicable", "not_in_force")

# A verdict whose computed payout is worth showing (it was computed, paid or not):
# the record says so per clause, so no report decides it again.
PAYOUT_SHOWN = frozenset({"granted", "excluded"})


def _value(thing) -> str:
    return getattr(thing, "value", thing)


def status(value, lang: str = "zh") -> str:
    """granted -> 可享受."""
    return label(f"status.{_value(value)}", lang)


def status_rank(value) -> int:
    return STATUS_ORDER.index(_value(value))


def shows_payout(value) -> bool:
    return _value(value) in PAYOUT_SHOWN


def shown_as(status, clause_kind) -> str:
    """The group a verdict is shown in: an equivalence (同等待遇) the applicant does not
    meet cannot concern them, so it is 不适用 rather than a failure."""
    if _value(status) == "ineligible" and _value(clause_kind) == "equivalence":
        return "inapplicable"
    return _value(status)


def cadence(value, lang: str = "zh") -> str:
    """once / years / months -> 一次性 / 每年 / 每月."""
    return label(f"cadence.{_value(value)}", lang)


def unit(value, lang: str = "zh") -> str:
    """years / months / days -> 年 / 个月 / 天."""
    return label(f"unit.{_value(value)}", lang)


def duration(count: int, unit_name, lang: str = "zh") -> str:
    """3, years -> 3年 / 3 years."""
    word = unit(unit_name, lang)
    return f"{count}{word}" if lang == "zh" else f"{count} {word}"


def written_duration(written: str, lang: str = "zh") -> str:
    """'10 years' (as the encoding writes it) -> 10年 / 10 years."""
    count, unit_name = written.split()
    return duration(int(count), unit_name, lang)


def clause_kind(value, lang: str = "zh") -> str:
    """benefit / entitlement / reference / equivalence -> 给付 / 权益 / 援引现行政策 / 同等待遇."""
    return label(f"clause_kind.{_value(value)}", lang)


def money_kind(value, lang: str = "zh") -> str:
    """A kind of money (see `wording.money.classify`) in words."""
    return label(f"money_kind.{_value(value)}", lang)


def severity(value, lang: str = "zh") -> str:
    return label(f"severity.{_value(value)}", lang)
