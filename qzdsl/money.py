"""Money: reading amounts as people write them, the fen rule, exact arithmetic, and the one
JSON form every output uses.

Reading. An amount may be written in Arabic digits, with thousands separators (``20,000``)
and in full-width characters (``２００００``), with a magnitude (``2万``, ``2.5万``,
``10亿``), or in Chinese numerals, everyday or 大写 (``两万``, ``一万五``, ``两千五``,
``壹万贰仟``); a trailing ``元`` is allowed. Chinese numerals are read by cn2an, imported
only when such a numeral is met, so it stays off the `eval` path.

The fen rule. Money is counted to the fen (0.01 yuan): an amount that anyone states — in
the policy, a case file, a batch row, a policy test — with a value below the fen
(``350.505``) is rejected, never rounded. Trailing zeros do not count (``350.500`` is
350.50, ``1.2345万`` is 12345). Every amount the back ends compute is a sum, minimum or
whole-number multiple of stated amounts, so it stays exact to the fen; the arithmetic
helpers here trap any rounding instead of hiding it.

JSON. Money is written as an int when it is whole yuan (``20000``), else as a string with
exactly two decimals (``"350.50"``): exact either way, and the common case stays a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded, localcontext

FEN = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
_MAGNITUDE = {"万": WAN, "亿": YI}

# Digits as written, with or without thousands separators, a fraction and a magnitude.
_ARABIC = re.compile(r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?(?P<magnitude>[万亿])?")
_CHINESE_DIGIT = "零〇一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
_CHINESE_UNIT = "十百千万亿拾佰仟萬億"
_CHINESE = re.compile(f"[{_CHINESE_DIGIT}{_CHINESE_UNIT}]+")

# The machine spelling of money (case schema, batch rows): digits, at most two decimals
# after which only zeros may follow. POSIX-compatible, for SQL regexes and JSON Schema.
MACHINE_PATTERN = r"[0-9]+(\.[0-9]{1,2}0*)?"
# A machine spelling whose value falls below the fen: a non-zero third decimal or later.
SUB_FEN_PATTERN = r"[0-9]+\.[0-9]{2}0*[1-9][0-9]*"
# Every spelling `parse_amount` reads, for a JSON Schema's string pattern (loose on purpose:
# the reader, not the schema, decides whether a Chinese numeral is well formed).
SPELLING_PATTERN = (r"^\s*(([0-9０-９]{1,3}([,，][0-9０-９]{3})+|[0-9０-９]+)([.．][0-9０-９]+)?[万亿]?"
                    f"|[{_CHINESE_DIGIT}{_CHINESE_UNIT}]+)元?\\s*$")

# Exact arithmetic: enough precision for any amount a case can reach, and every operation
# that would round raises instead.
_EXACT = Context(prec=60, traps=[Inexact, Rounded, InvalidOperation])
# The largest power of ten a written number may reach: with a magnitude (亿) it stays
# within the exact context's precision.
_LARGEST_DIGITS = 40


class AmountError(ValueError):
    """Why a text is not an amount. `reason` is "form" (not a way of writing a number),
    "negative", "sub_fen" (below the fen) or "large" (more digits than exact arithmetic
    holds: above 10^40)."""

    def __init__(self, text: str, reason: str, message: str):
        super().__init__(message)
        self.text, self.reason = text, reason


def parse_number(text: str) -> Decimal:
    """A non-negative number as written in any accepted spelling, exact, with no fen rule:
    ``8000`` -> 8000, ``20,000`` -> 20000, ``2.5万元`` -> 25000, ``两千五`` -> 2500,
    ``0.5`` -> 0.5. Whole values come back with no decimal places (``1.5万`` is ``15000``,
    not ``15000.0``). Raises AmountError for anything else."""
    original = text
    body = unicodedata.normalize("NFKC", text).strip()  # full-width digits, comma, point
    if body.startswith("-"):
        raise AmountError(original, "negative", f"an amount cannot be negative: {original}")
    body = body.removesuffix("元")
    if arabic := _ARABIC.fullmatch(body):
        value = Decimal(arabic["digits"].replace(",", "") + (arabic["fraction"] or ""))
        if value.adjusted() > _LARGEST_DIGITS:
            # Far above any amount or count qzdsl accepts, and beyond exact arithmetic.
            raise AmountError(original, "large", f"too large: {original}")
        if arabic["magnitude"]:
            value = _exact(lambda: value * _MAGNITUDE[arabic["magnitude"]])
        return whole_if_whole(value)
    if _CHINESE.fullmatch(body):
        if len(body) > 1 and not any(ch in _CHINESE_UNIT for ch in body):
            # 一二三 or 两两 read digit by digit is a code or a slip, not an amount: no guessing.
            raise AmountError(original, "form", f"not an amount: {original} (write 一百二十三 or 123)")
        return Decimal(chinese_numeral(body, original))
    raise AmountError(original, "form", f"not an amount: {original}")


def chinese_numeral(text: str, original: str | None = None) -> int:
    """A whole number in Chinese numerals, everyday or 大写: 一万五 = 15000, 两千五 = 2500,
    壹万贰仟 = 12000, 一亿五千万 = 150000000. Raises AmountError if it is not one."""
    import cn2an  # lazily: it takes a fifth of a second to import

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError) as exc:
        raise AmountError(original or text, "form", f"not a Chinese numeral: {original or text}") from exc
    if not isinstance(value, int):  # "normal" mode gives a float only for 点 fractions
        raise AmountError(original or text, "form", f"not a whole number: {original or text}")
    return value


def parse_amount(text: str) -> Decimal:
    """An amount of money in yuan as a person writes it (see `parse_number`), held to the
    fen rule: ``350.505`` raises AmountError("sub_fen")."""
    return check_fen(parse_number(text), text)


def is_fen_exact(value: Decimal) -> bool:
    """Whether the value is a whole number of fen."""
    if not value.is_finite():
        return False
    if value.is_zero():
        return True
    _, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return exponent + trailing_zeros >= -2


def check_fen(value: Decimal, text: str | None = None) -> Decimal:
    """The value if it is a whole number of fen; else AmountError("sub_fen")."""
    if not is_fen_exact(value):
        shown = text if text is not None else str(value)
        raise AmountError(shown, "sub_fen", f"money is counted to the fen (0.01 yuan): {shown} has more "
                                            "than two decimal places")
    return value


def whole_if_whole(value: Decimal) -> Decimal:
    """The same value, written without decimals when it is whole (``15000.0`` -> ``15000``)."""
    if value != value.to_integral_value() or value.as_tuple().exponent >= 0:
        return value
    # As many digits as the value has: the default precision (28) cannot hold every whole number.
    return value.quantize(Decimal(1), context=Context(prec=len(value.as_tuple().digits) + 1))


def to_json(value: Decimal | int | None) -> int | str | None:
    """THE JSON form of money: an int when whole, else a string with two decimals."""
    if value is None or isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return f"{value:.2f}" if is_fen_exact(value) else str(value)


def from_json(value: int | str | Decimal) -> Decimal:
    """The inverse of `to_json`: ``20000`` or ``"350.50"`` as an exact Decimal."""
    return Decimal(value) if isinstance(value, (int, Decimal)) else parse_number(value)


# ---- exact arithmetic ------------------------------------------------------------------


def _exact(compute):
    with localcontext(_EXACT):
        return compute()


def total(values: Iterable[Decimal | int | None]) -> Decimal:
    """The exact sum of the amounts given (None counts as nothing)."""
    result = Decimal(0)
    for value in values:
        if value is not None:
            result = _EXACT.add(result, Decimal(value))
    return result


def times(amount: Decimal, count: int | Decimal) -> Decimal:
    """The amount taken `count` times, exactly (per head, per period). Computed in the
    exact context's own methods (the same result and traps as `amount * count` under
    `localcontext(_EXACT)`, without switching the thread's context on every call)."""
    return _EXACT.multiply(amount, count)
