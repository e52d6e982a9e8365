"""Reading fact values as people write them: the one reader behind case files, the
interview, the web form and the API.

Forgiving in spelling, exact in meaning:

- dates: ``2024-06-01``, ``2024-6-1``, ``2024/6/1``, ``2024.6.1``, ``2024年6月1日`` (or 号);
- money: every spelling of `qzdsl.money` (``20000``, ``20,000``, ``2万``, ``2.5万``, ``两万元``);
- counts: a whole number, in digits or Chinese numerals (``3``, ``三``);
- yes/no: ``true``/``false``, ``yes``/``no``, ``1``/``0``, ``是``/``否``, ``有``/``无``;
- enumeration members and applicant kinds: by name or by their Chinese label.

What is still ambiguous is refused with the reason and a suggestion, never guessed: a
date written ``6/1/2024`` (which is the month?), ``24/6/1`` (which century?), a label
that only part of a member's label matches (``衢州学院`` → did you mean
``衢州高校（衢州学院、…）``?). A refusal is a `Refused` carrying a message key and its
arguments (`qzdsl.codes.MESSAGES`, keys value.* and hint.value.*), worded in Chinese or
English by whoever shows it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal

from qzdsl.diagnostics import Text
from qzdsl.model import policy as m
from qzdsl.money import AmountError, parse_amount, parse_number

FactValue = bool | int | Decimal | dt.date | str

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
# The largest count and amount a case may state: far above any real applicant, and low
# enough that every amount the policy computes from them stays exact in SQL's DECIMAL.
MAX_COUNT = 10**6
MAX_MONEY = Decimal(10**9)

# Compared after NFKC and case folding. 1/0 and t/f are how databases and spreadsheets
# export yes/no; the batch reader's SQL reads the same words (`backends.sql.validation`).
TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "有", "对")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "无", "没有", "不是")

_YMD = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_YMD_ZH = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?")
_YM_ZH = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?")
_DMY = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})")
_SHORT_YEAR = re.compile(r"(?P<y>\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")

class Refused(ValueError):
    """Why a value was not accepted: a message and a hint, each a `Text` (a key of
    `qzdsl.codes.MESSAGES` with its arguments) worded in the reader's language."""

    def __init__(self, key: str, hint: str | None = None, **args):
        arguments = tuple(args.items())
        self.key = key
        self.text = Text(key, arguments)
        self.suggestion = Text(hint, arguments) if hint else None
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return self.text.render(lang)

    def hint(self, lang: str = "en") -> str | None:
        return self.suggestion.render(lang) if self.suggestion else None


def _text(value: object) -> str:
    """The written form of a value, normalised: full-width digits and punctuation become
    ASCII (NFKC), surrounding white space goes."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _shape(value: object, choices: dict[str, str] | None = None) -> None:
    """Refuse a list or a mapping where one value is expected (naming the values, when
    there is a choice)."""
    if isinstance(value, (list, tuple, dict, set)):
        shape = "mapping" if isinstance(value, dict) else "list"
        if choices:
            raise Refused(f"value.shape.{shape}", "hint.value.values", first=listed(choices))
        raise Refused(f"value.shape.{shape}")


def listed(choices: dict[str, str]) -> str:
    """Choices as a person reads them: each label with its name, 个人（person）、企业（enterprise）."""
    return "、".join(f"{label}（{name}）" for name, label in choices.items())


# ---- dates -------------------------------------------------------------------------------


def read_date(value: object) -> dt.date:
    """A date from a `datetime.date` or any accepted spelling; see the module docstring."""
    _shape(value)
    if isinstance(value, dt.datetime):
        raise Refused("value.date.form", "hint.value.date", text=value.isoformat())
    if isinstance(value, dt.date):
        return _in_range(value, value.isoformat())
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refused("value.date.form", "hint.value.date", text=str(value))
    text = _text(value)
    if match := (_YMD.fullmatch(text) or _YMD_ZH.fullmatch(text)):
        return _in_range(_calendar(text, match["y"], match["m"], match["d"]), text)
    if match := _DMY.fullmatch(text):
        readings = [d for d in (_maybe(match["y"], match["b"], match["a"]), _maybe(match["y"], match["a"], match["b"]))
                    if d is not None]
        readings = sorted(set(readings))
        if len(readings) == 2:
            raise Refused("value.date.order", "hint.value.date_either", text=text, first=readings[0].isoformat(),
                          second=readings[1].isoformat())
        if readings:
            raise Refused("value.date.order", "hint.value.date_one", text=text, first=readings[0].isoformat())
        raise Refused("value.date.calendar", "hint.value.calendar", text=text)
    if match := _SHORT_YEAR.fullmatch(text):
        guess = _maybe("20" + match["y"], match["m"], match["d"])
        if guess is not None:
            raise Refused("value.date.century", "hint.value.date_one", text=text, first=guess.isoformat())
        raise Refused("value.date.century", "hint.value.date", text=text)
    if match := _COMPACT.fullmatch(text):
        guess = _maybe(match["y"], match["m"], match["d"])
        if guess is not None:
            raise Refused("value.date.compact", "hint.value.date_one", text=text, first=guess.isoformat())
    if _YM_ZH.fullmatch(text):
        raise Refused("value.date.no_day", "hint.value.date", text=text)
    raise Refused("value.date.form", "hint.value.date", text=text)


def _maybe(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _calendar(text: str, year: str, month: str, day: str) -> dt.date:
    date = _maybe(year, month, day)
    if date is None:
        raise Refused("value.date.calendar", "hint.value.calendar", text=text)
    return date


def _in_range(date: dt.date, text: str) -> dt.date:
    if not in_range(date):
        raise Refused("value.date.range", "hint.value.date_range", text=text, first=EARLIEST.isoformat(),
                      second=LATEST.isoformat())
    return date


def in_range(date: dt.date) -> bool:
    """Whether a date is one qzdsl computes with: periods and shifts of a date near the
    end of the calendar would run past year 9999."""
    return EARLIEST <= date <= LATEST


# ---- yes/no, counts, money ---------------------------------------------------------------


def read_bool(value: object) -> bool:
    _shape(value)
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise Refused("value.bool.form", "hint.value.bool", text=_text(value))


def read_count(value: object) -> int:
    _shape(value)
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise Refused("value.count.form", "hint.value.count", text=str(value))
    text = _text(value)
    if isinstance(value, int):
        number = Decimal(value)
    else:
        try:
            number = parse_number(text)
        except AmountError as problem:
            if problem.reason == "large":
                raise Refused("value.count.large", "hint.value.check", text=text, limit=f"{MAX_COUNT:,}") from None
            key = "value.count.negative" if problem.reason == "negative" else "value.count.form"
            raise Refused(key, "hint.value.count", text=text) from None
    if number != number.to_integral_value():
        raise Refused("value.count.whole", "hint.value.count", text=text)
    if number < 0:
        raise Refused("value.count.negative", "hint.value.count", text=text)
    if number > MAX_COUNT:
        raise Refused("value.count.large", "hint.value.check", text=text, limit=f"{MAX_COUNT:,}")
    return int(number)


def read_money(value: object) -> Decimal:
    _shape(value)
    # A float has already lost exactness (0.1 is not 0.10): callers read JSON numbers as
    # Decimal, and YAML numbers come from their text.
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise Refused("value.money.form", "hint.value.money", text=str(value))
    text = _text(value)
    try:
        amount = parse_amount(text)
    except AmountError as problem:
        if problem.reason == "large":
            raise Refused("value.money.large", "hint.value.check", text=text, limit=f"{int(MAX_MONEY):,}") from None
        key, hint = {"negative": ("value.money.negative", None),
                     "sub_fen": ("value.money.sub_fen", "hint.value.fen")}.get(
            problem.reason, ("value.money.form", "hint.value.money"))
        raise Refused(key, hint, text=text) from None
    if amount > MAX_MONEY:
        raise Refused("value.money.large", "hint.value.check", text=text, limit=f"{int(MAX_MONEY):,}")
    return amount


# ---- enumeration members and kinds ---------------------------------------------------------


def read_choice(value: object, choices: dict[str, str], unknown: str = "value.member.unknown",
                also: dict[str, tuple[str, ...]] | None = None) -> str:
    """The name of the choice (name -> label) that `value` names exactly, by name or label
    (compared after NFKC and case folding), or by one of its labels in another language
    (`also`: name -> labels; a case written in Chinese reads the same under --lang en).
    Anything less is refused, with the nearest labels as the suggestion."""
    _shape(value, choices)
    text = _text(value)
    key = text.casefold()
    for name, label in choices.items():
        others = (also or {}).get(name, ())
        if key in (name.casefold(), _text(label).casefold(), *(_text(o).casefold() for o in others if o)):
            return name
    containing = [label for label in choices.values() if text and (text in _text(label) or _core(label) in text)]
    if len(containing) == 1:
        raise Refused("value.member.partial", "hint.value.did_you_mean", text=text, first=containing[0])
    if containing:
        raise Refused("value.member.partial", "hint.value.one_of", text=text, first="、".join(containing))
    # The suggestion is written the way it matched: a name for a misspelt name, a label
    # for a misspelt label.
    words = [*choices, *choices.values()]
    close = difflib.get_close_matches(key, [w.casefold() for w in words], n=1, cutoff=0.6)
    if close:
        matched = next(w for w in words if w.casefold() == close[0])
        raise Refused(unknown, "hint.value.did_you_mean", text=text, first=matched)
    close = difflib.get_close_matches(text, list(choices.values()), n=1, cutoff=0.5)
    if close:
        raise Refused(unknown, "hint.value.did_you_mean", text=text, first=close[0])
    raise Refused(unknown, "hint.value.values", text=text, first=listed(choices))


def _core(label: str) -> str:
    """A label without its parenthesised explanation: 衢州高校（衢州学院、…） -> 衢州高校."""
    return re.split(r"[（(]", _text(label), maxsplit=1)[0] or _text(label)


def read_member(fact: m.Fact, value: object) -> str:
    return read_choice(value, {x.name: x.label for x in fact.members}, also={
        x.name: (x.label_zh, x.label_en or "") for x in fact.members})


def read_kind(policy: m.Policy, value: object) -> str:
    return read_choice(value, {k.name: k.label for k in policy.kinds.values()}, "value.kind.unknown",
                       also={k.name: (k.label_zh, k.label_en or "") for k in policy.kinds.values()})


# ---- a value that changes over time -------------------------------------------------------

# One change as a person types it: a date, a colon (ASCII or full-width), the value; the
# changes separated by commas, semicolons or line breaks, the whole optionally in braces
# (the case file's flow form `{2024-05-01: 4, 2026-01-01: 5}`).
_CHANGE_SEPARATORS = re.compile(r"[,;\n]")
_CHANGE = re.compile(r"(?P<date>[^:]+?)\s*:\s*(?P<value>.*)")


def looks_dated(text: object) -> bool:
    """Whether `text` is written as values over time (`2024-05-01: 4, 2026-01-01: 5`): its
    first part before a colon reads as a date. A plain value never does."""
    if not isinstance(text, str):
        return False
    first = _text(text).lstrip("{").strip()
    match = _CHANGE.fullmatch(_CHANGE_SEPARATORS.split(first, 1)[0].strip())
    if match is None:
        return False
    try:
        read_date(match["date"])
    except Refused:
        return False
    return True


def read_changes(fact: m.Fact, text: str, unknown: tuple[str, ...] = ()) \
        -> tuple[tuple[dt.date, FactValue | None], ...]:
    """A fact's values over time as a person types them, each from the date it takes effect
    (the case file's `{date: value}`, docs/cases.md), in date order; a value in `unknown`
    ("不知道") leaves the fact unknown from that date. Raises `Refused`: a part that is no
    `date: value`, a date given twice, or a value the fact cannot take (named with its date)."""
    body = _text(text)
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    entries: dict[dt.date, FactValue | None] = {}
    for part in (p.strip() for p in _CHANGE_SEPARATORS.split(body)):
        if not part:
            continue
        match = _CHANGE.fullmatch(part)
        if match is None:
            raise Refused("value.changes.form", "hint.value.changes", text=part)
        date = read_date(match["date"])
        if date in entries:
            raise Refused("value.changes.twice", "hint.value.changes", text=date.isoformat())
        value = match["value"].strip()
        if value.casefold() in unknown:
            entries[date] = None
            continue
        try:
            entries[date] = read_fact(fact, value)
        except Refused as refusal:
            raise Refused("value.changes.value", refusal.suggestion.key if refusal.suggestion else None,
                          date=date.isoformat(), reason=refusal.text, **dict(refusal.text.args)) from None
    if not entries:
        raise Refused("value.changes.form", "hint.value.changes", text=text)
    return tuple(sorted(entries.items()))


# ---- one fact --------------------------------------------------------------------------------


def read_fact(fact: m.Fact, value: object) -> FactValue:
    """The value of `fact` in its declared type, from a typed value or any accepted
    spelling. Raises `Refused`."""
    match fact.type:
        case m.Type.BOOL:
            return read_bool(value)
        case m.Type.COUNT:
            return read_count(value)
        case m.Type.MONEY:
            return read_money(value)
        case m.Type.DATE:
            return read_date(value)
        case m.Type.ENUM:
            return read_member(fact, value)
    raise Refused("value.form", text=str(value))
