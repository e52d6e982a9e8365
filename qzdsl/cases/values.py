"""Reading fact values as people write them: the one reader behind case files, the
interview, the web form and the API.

Forgiving in spelling, exact in meaning:

- dates: ``2024-06-01``, ``2024-6-1``, ``2024/6/1``, ``2024.6.1``, ``2024年6月1日`` (or 号);
- money: every spelling of `qzdsl.money` (``20000``, ``20,000``, ``2万``, ``2.5万``, ``两万元``);
- counts: a whole number, in digits or Chinese numerals (``3``, ``三``);
- yes/no: ``true``/``false``, ``yes``/``no``, ``是``/``否``, ``有``/``无``;
- enumeration members and applicant kinds: by name or by their Chinese label.

What is still ambiguous is refused with the reason and a suggestion, never guessed: a
date written ``6/1/2024`` (which is the month?), ``24/6/1`` (which century?), a label
that only part of a member's label matches (``衢州学院`` → did you mean
``衢州高校（衢州学院、…）``?). A refusal is a `Refused` carrying a message key and its
arguments, worded in Chinese or English by whoever shows it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.money import AmountError, parse_amount, parse_number

FactValue = bool | int | Decimal | dt.date | str

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
# The largest count and amount a case may state: far above any real applicant, and low
# enough that every amount the policy computes from them stays exact in SQL's DECIMAL.
MAX_COUNT = 10**6
MAX_MONEY = Decimal(10**9)

TRUE_WORDS = ("true", "yes", "y", "是", "有", "对")
FALSE_WORDS = ("false", "no", "n", "否", "无", "没有", "不是")

_YMD = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_YMD_ZH = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?")
_YM_ZH = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?")
_DMY = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})")
_SHORT_YEAR = re.compile(r"(?P<y>\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")

# key -> language -> template (str.format with the refusal's arguments).
WORDS: dict[str, dict[str, str]] = {
    "date.form": {"en": "'{text}' is not a date", "zh": "“{text}”不是日期"},
    "date.calendar": {"en": "'{text}' is not a calendar date", "zh": "“{text}”不是日历上的日期"},
    "date.range": {"en": "{text} is out of range", "zh": "{text} 超出可计算的范围"},
    "date.order": {"en": "'{text}' is ambiguous: day and month could be either way round",
                   "zh": "“{text}”有歧义：无法确定哪个是月、哪个是日"},
    "date.century": {"en": "'{text}' is ambiguous: a two-digit year", "zh": "“{text}”有歧义：年份只有两位"},
    "date.no_day": {"en": "'{text}' gives no day", "zh": "“{text}”没有写日"},
    "date.compact": {"en": "'{text}' is not written as a date", "zh": "“{text}”不是日期的写法"},
    "bool.form": {"en": "'{text}' is not yes or no", "zh": "“{text}”不是“是”或“否”"},
    "count.form": {"en": "'{text}' is not a count", "zh": "“{text}”不是人数或次数"},
    "count.whole": {"en": "'{text}' is not a whole number", "zh": "“{text}”不是整数"},
    "count.negative": {"en": "a count cannot be negative: {text}", "zh": "数目不能为负：{text}"},
    "count.large": {"en": "{text} is more than {limit:,}", "zh": "{text} 超过 {limit:,}"},
    "money.form": {"en": "'{text}' is not an amount of money", "zh": "“{text}”不是金额"},
    "money.negative": {"en": "an amount cannot be negative: {text}", "zh": "金额不能为负：{text}"},
    "money.sub_fen": {"en": "'{text}' has more than two decimal places", "zh": "“{text}”的小数超过两位"},
    "money.large": {"en": "{text} is more than {limit:,}元", "zh": "{text} 超过 {limit:,}元"},
    "member.unknown": {"en": "'{text}' is not one of the values", "zh": "“{text}”不是可选的值"},
    "kind.unknown": {"en": "unknown applicant kind '{text}'", "zh": "未知的申请主体类型“{text}”"},
    "member.partial": {"en": "'{text}' names part of a value, not a value",
                       "zh": "“{text}”只是某个可选值的一部分"},
    "value.shape": {"en": "one value is expected, not {text}", "zh": "这里只填一个值，而不是{text}"},
    # the shape of a case (cases.case)
    "case.unknown_key": {"en": "unknown key '{text}' in a case file", "zh": "案例文件中没有“{text}”这一项"},
    "case.name": {"en": "'name' is free text", "zh": "name（案例名称）是一段文字"},
    "case.no_kind": {"en": "missing 'kind': the kind of applicant", "zh": "缺少 kind：申请主体类型"},
    "case.facts": {"en": "'facts' is a mapping of fact names to values", "zh": "facts 应是“事实名: 值”的映射"},
    "case.duplicate": {"en": "duplicate {what} '{text}'", "zh": "重复的{what}“{text}”"},
    "case.unknown_fact": {"en": "unknown fact '{text}'", "zh": "未知的事实“{text}”"},
    "case.not_asked": {"en": "'{text}' ({label}) is not asked of {kind}", "zh": "“{label}”（{text}）不适用于{kind}"},
    "hint.top_keys": {"en": "a case file has: {first}", "zh": "案例文件包含：{first}"},
    "hint.add_kind": {"en": "add e.g. 'kind: person'; the policy's kinds are: {first}",
                      "zh": "请加上如“kind: person”；政策中的申请主体类型：{first}"},
    "hint.facts": {"en": "write one 'name: value' per line under 'facts:'", "zh": "在 facts: 下每行写一个“事实名: 值”"},
    "hint.first_line": {"en": "it is first given on line {first}", "zh": "第一次出现在第 {first} 行"},
    "hint.fact_label": {"en": "did you mean '{first}'? ('{text}' is its label)",
                        "zh": "是否指“{first}”？（“{text}”是它的标签）"},
    "hint.fact_of": {"en": "it is a fact of {first}; remove it or check 'kind'",
                     "zh": "它是{first}的事实；请删去，或核对 kind"},
    # hints
    "hint.date": {"en": "write the date as YYYY-MM-DD, e.g. 2024-06-01", "zh": "日期请写作 YYYY-MM-DD，如 2024-06-01"},
    "hint.date_either": {"en": "write {first} or {second}", "zh": "请写作 {first} 或 {second}"},
    "hint.date_one": {"en": "did you mean {first}?", "zh": "是否指 {first}？"},
    "hint.calendar": {"en": "check the month and the day", "zh": "请核对月份和日"},
    "hint.date_range": {"en": "dates run from {first} to {second}", "zh": "日期须在 {first} 至 {second} 之间"},
    "hint.bool": {"en": "answer yes or no (true/false, 是/否, 有/无)", "zh": "请回答 是 或 否（也可写 有/无、yes/no、true/false）"},
    "hint.count": {"en": "write a whole number, 0 or more, e.g. 3", "zh": "请写一个不小于 0 的整数，如 3"},
    "hint.money": {"en": "write an amount in yuan, e.g. 20000, 20,000, 2万, 2.5万 or 两万元",
                   "zh": "请写以元为单位的金额，如 20000、20,000、2万、2.5万 或 两万元"},
    "hint.fen": {"en": "money is counted to the fen (0.01 yuan)", "zh": "金额计到分（0.01 元）"},
    "hint.check": {"en": "check the number", "zh": "请核对数字"},
    "hint.did_you_mean": {"en": "did you mean '{first}'?", "zh": "是否指“{first}”？"},
    "hint.one_of": {"en": "it could be: {first}", "zh": "可能是：{first}"},
    "hint.values": {"en": "the values are: {first}", "zh": "可选的值：{first}"},
}


class Refused(ValueError):
    """Why a value was not accepted: a `WORDS` key with its arguments, and a hint."""

    def __init__(self, key: str, hint: str | None = None, **args):
        self.key, self.hint_key, self.arguments = key, hint, args
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return _word(self.key, lang, self.arguments)

    def hint(self, lang: str = "en") -> str | None:
        return _word(self.hint_key, lang, self.arguments) if self.hint_key else None


def say(key: str, lang: str = "en", **args) -> str:
    """The sentence `key` of `WORDS` in `lang` (English where there is no other)."""
    return _word(key, lang, args)


def _word(key: str, lang: str, args: dict) -> str:
    templates = WORDS[key]
    return (templates.get(lang) or templates["en"]).format(**args)


def _text(value: object) -> str:
    """The written form of a value, normalised: full-width digits and punctuation become
    ASCII (NFKC), surrounding white space goes."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _shape(value: object) -> None:
    if isinstance(value, (list, tuple, dict, set)):
        raise Refused("value.shape", text="a list" if not isinstance(value, dict) else "a mapping")


# ---- dates -------------------------------------------------------------------------------


def read_date(value: object) -> dt.date:
    """A date from a `datetime.date` or any accepted spelling; see the module docstring."""
    _shape(value)
    if isinstance(value, dt.datetime):
        raise Refused("date.form", "hint.date", text=value.isoformat())
    if isinstance(value, dt.date):
        return _in_range(value, value.isoformat())
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refused("date.form", "hint.date", text=str(value))
    text = _text(value)
    if match := (_YMD.fullmatch(text) or _YMD_ZH.fullmatch(text)):
        return _in_range(_calendar(text, match["y"], match["m"], match["d"]), text)
    if match := _DMY.fullmatch(text):
        readings = [d for d in (_maybe(match["y"], match["b"], match["a"]), _maybe(match["y"], match["a"], match["b"]))
                    if d is not None]
        readings = sorted(set(readings))
        if len(readings) == 2:
            raise Refused("date.order", "hint.date_either", text=text, first=readings[0].isoformat(),
                          second=readings[1].isoformat())
        if readings:
            raise Refused("date.order", "hint.date_one", text=text, first=readings[0].isoformat())
        raise Refused("date.calendar", "hint.calendar", text=text)
    if match := _SHORT_YEAR.fullmatch(text):
        guess = _maybe("20" + match["y"], match["m"], match["d"])
        if guess is not None:
            raise Refused("date.century", "hint.date_one", text=text, first=guess.isoformat())
        raise Refused("date.century", "hint.date", text=text)
    if match := _COMPACT.fullmatch(text):
        guess = _maybe(match["y"], match["m"], match["d"])
        if guess is not None:
            raise Refused("date.compact", "hint.date_one", text=text, first=guess.isoformat())
    if _YM_ZH.fullmatch(text):
        raise Refused("date.no_day", "hint.date", text=text)
    raise Refused("date.form", "hint.date", text=text)


def _maybe(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _calendar(text: str, year: str, month: str, day: str) -> dt.date:
    date = _maybe(year, month, day)
    if date is None:
        raise Refused("date.calendar", "hint.calendar", text=text)
    return date


def _in_range(date: dt.date, text: str) -> dt.date:
    if not in_range(date):
        raise Refused("date.range", "hint.date_range", text=text, first=EARLIEST.isoformat(), second=LATEST.isoformat())
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
    raise Refused("bool.form", "hint.bool", text=_text(value))


def read_count(value: object) -> int:
    _shape(value)
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise Refused("count.form", "hint.count", text=str(value))
    text = _text(value)
    if isinstance(value, int):
        number = Decimal(value)
    else:
        try:
            number = parse_number(text)
        except AmountError as problem:
            key = "count.negative" if problem.reason == "negative" else "count.form"
            raise Refused(key, "hint.count", text=text) from None
    if number != number.to_integral_value():
        raise Refused("count.whole", "hint.count", text=text)
    if number < 0:
        raise Refused("count.negative", "hint.count", text=text)
    if number > MAX_COUNT:
        raise Refused("count.large", "hint.check", text=text, limit=MAX_COUNT)
    return int(number)


def read_money(value: object) -> Decimal:
    _shape(value)
    # A float has already lost exactness (0.1 is not 0.10): callers read JSON numbers as
    # Decimal, and YAML numbers come from their text.
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise Refused("money.form", "hint.money", text=str(value))
    text = _text(value)
    try:
        amount = parse_amount(text)
    except AmountError as problem:
        key, hint = {"negative": ("money.negative", None), "sub_fen": ("money.sub_fen", "hint.fen")}.get(
            problem.reason, ("money.form", "hint.money"))
        raise Refused(key, hint, text=text) from None
    if amount > MAX_MONEY:
        raise Refused("money.large", "hint.check", text=text, limit=int(MAX_MONEY))
    return amount


# ---- enumeration members and kinds ---------------------------------------------------------


def read_choice(value: object, choices: dict[str, str], unknown: str = "member.unknown") -> str:
    """The name of the choice (name -> label) that `value` names exactly, by name or label
    (compared after NFKC and case folding). Anything less is refused, with the nearest
    labels as the suggestion."""
    _shape(value)
    text = _text(value)
    key = text.casefold()
    for name, label in choices.items():
        if key in (name.casefold(), _text(label).casefold()):
            return name
    containing = [label for label in choices.values() if text and (text in _text(label) or _core(label) in text)]
    if len(containing) == 1:
        raise Refused("member.partial", "hint.did_you_mean", text=text, first=containing[0])
    if containing:
        raise Refused("member.partial", "hint.one_of", text=text, first="、".join(containing))
    # The suggestion is written the way it matched: a name for a misspelt name, a label
    # for a misspelt label.
    words = [*choices, *choices.values()]
    close = difflib.get_close_matches(key, [w.casefold() for w in words], n=1, cutoff=0.6)
    if close:
        raise Refused(unknown, "hint.did_you_mean", text=text, first=next(w for w in words if w.casefold() == close[0]))
    close = difflib.get_close_matches(text, list(choices.values()), n=1, cutoff=0.5)
    if close:
        raise Refused(unknown, "hint.did_you_mean", text=text, first=close[0])
    listed = "、".join(f"{label}（{name}）" for name, label in choices.items())
    raise Refused(unknown, "hint.values", text=text, first=listed)


def _core(label: str) -> str:
    """A label without its parenthesised explanation: 衢州高校（衢州学院、…） -> 衢州高校."""
    return re.split(r"[（(]", _text(label), maxsplit=1)[0] or _text(label)


def read_member(fact: m.Fact, value: object) -> str:
    return read_choice(value, {x.name: x.label for x in fact.members})


def read_kind(policy: m.Policy, value: object) -> str:
    return read_choice(value, {k.name: k.label for k in policy.kinds.values()}, "kind.unknown")


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
    raise Refused("value.shape", text=str(value))
