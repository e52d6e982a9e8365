"""The words every report, batch summary and analysis shares: statuses and the order a
reader meets them in, cadences, duration units, clause kinds, kinds of money. Each is a
label in `labels.LABELS` (zh and en); this module names the keys once."""

from __future__ import annotations

from enum import Enum

from qzdsl.wording.labels import label

# The order a caseworker reads verdicts in: what is paid first, what is not paid last.
STATUS_ORDER = ("granted", "excluded", "undetermined", "ineligible", "inapplicable", "not_in_force")

# A verdict whose computed payout is worth showing (it was computed, paid or not):
# the record says so per clause, so no report decides it again.
PAYOUT_SHOWN = frozenset({"granted", "excluded"})


def key_of(thing) -> str:
    """An enum member or its word: the key its label is filed under."""
    if type(thing) is str:  # a word already (most calls: the record carries words)
        return thing
    if isinstance(thing, Enum):
        return thing._value_  # `.value` is a property, ten times slower on Python 3.11
    return getattr(thing, "value", thing)


def status(value, lang: str = "zh") -> str:
    """granted -> 可享受."""
    return label(f"status.{key_of(value)}", lang)


def status_rank(value) -> int:
    return STATUS_ORDER.index(key_of(value))


def shows_payout(value) -> bool:
    return key_of(value) in PAYOUT_SHOWN


def shown_as(status, clause_kind) -> str:
    """The group a verdict is shown in: an equivalence (同等待遇) the applicant does not
    meet cannot concern them, so it is 不适用 rather than a failure."""
    if key_of(status) == "ineligible" and key_of(clause_kind) == "equivalence":
        return "inapplicable"
    return key_of(status)


def cadence(value, lang: str = "zh") -> str:
    """once / years / months -> 一次性 / 每年 / 每月."""
    return label(f"cadence.{key_of(value)}", lang)


def period_state(value, lang: str = "zh") -> str:
    """paid / due / projected / stopped / undetermined -> 往期应发 / 本期应发 / …"""
    return label(f"period_state.{key_of(value)}", lang)


def unit(value, lang: str = "zh") -> str:
    """years / months / days -> 年 / 个月 / 天."""
    return label(f"unit.{key_of(value)}", lang)


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
    return label(f"clause_kind.{key_of(value)}", lang)


def money_kind(value, lang: str = "zh") -> str:
    """A kind of money (see `wording.money.classify`) in words."""
    return label(f"money_kind.{key_of(value)}", lang)


def money_kind_of(clause) -> str:
    """What kind of money a clause is about, as a reviewer must know it:

    - `existing`: a reference to an existing policy (its money, if any, is paid under it), or
      a clause paying what an existing policy sets for the applicant (`amount of FACT`);
    - `equal_treatment`: 同等待遇 — the same treatment as others, whatever that pays;
    - `guarantee`: an entitlement sized in money that is not paid out (a loan guarantee);
    - `non_monetary`: an entitlement without an amount;
    - `own_balance`: a payment out of the applicant's own account (`own_balance`, e.g.
      提取…余额) — no new public money;
    - `by_rule`: public money whose rate another rule sets (按规定);
    - `ceiling`: at most this much (最高);
    - `floor`: at least this much (不低于);
    - `discretionary`: a fixed sum or range of new public money granted at an official's
      discretion (可给予): "up to", never owed;
    - `new_money`: a fixed sum or range of new public money, owed once granted.
    """
    kind = key_of(clause.kind)
    amount_kind = key_of(clause.amount.kind)
    if clause.own_balance:
        return "own_balance"
    if kind == "reference" or clause.amount.fact is not None:
        return "existing"
    if kind == "equivalence":
        return "equal_treatment"
    if kind == "entitlement":
        return "guarantee" if amount_kind not in ("none", "rule") else "non_monetary"
    if amount_kind == "none":
        return "non_monetary"
    kind = {"rule": "by_rule", "up_to": "ceiling", "at_least": "floor"}.get(amount_kind, "new_money")
    return "discretionary" if kind == "new_money" and clause.discretionary else kind


def severity(value, lang: str = "zh") -> str:
    return label(f"severity.{key_of(value)}", lang)
