"""The official text a policy encodes: quotes, section regions, sentences and amounts.

Quotes are matched whitespace-insensitively: line breaks and full-width spaces in the
official text never decide whether a citation is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from qzdsl.money import AmountError, parse_number

_SPACE = re.compile(r"\s+")
_SENTENCE_END = "。；！？"
# Sentences that mention money or a grant must be encoded (or explicitly set aside).
PAYOUT_WORDS = ("元", "补贴", "奖励", "补助", "享受", "给予")
# A number as written: "8000", "8,000", "1.5".
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# A range's first end may carry its own magnitude ("10万—30万元") or share the last one
# ("10—30万元").
_RANGE = _NUM + r"(万|亿)?(?:\s*[—–\-~～至]\s*" + _NUM + r")?\s*(万|亿)?"
# "8000元", "8,000元", "2万元", "10—30万元", "10万—30万元", "10亿元"
_AMOUNT = re.compile(_RANGE + "元")
# Figures of targets: "10万人", "25万人次", "35万家", "37%", "97分"
_FIGURE = re.compile(_RANGE + "(?=人次|人|家|个|套|名|分|%|元)")
# Amounts in Chinese numerals, everyday or 大写: "两万元", "五千元", "一万五元", "壹万贰仟元".
# (万 and 亿 after digits belong to the digit form: "2万元".)
_CHINESE_AMOUNT = re.compile(r"(?<![\d.])([〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]"
                             r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]*)元")


def _chinese(numeral: str) -> Decimal | None:
    """The amount a Chinese numeral before 元 stands for; None where the characters only
    look like one (多元化 is "diverse", not an amount)."""
    try:
        return parse_number(numeral)
    except AmountError:
        return None


def squash(text: str) -> str:
    """The text with all white space removed (the form quotes are compared in)."""
    return _SPACE.sub("", text)


def _matches_with_values(pattern: re.Pattern, text: str):
    """(match, value) for every number the pattern finds; a range gives both its ends."""
    for match in pattern.finditer(text):
        first, first_magnitude, last, magnitude = match.groups()
        ends = [(first, first_magnitude or magnitude)] + ([(last, magnitude)] if last is not None else [])
        for digits, unit in ends:
            yield match, parse_number(digits + (unit or ""))


def _values(pattern: re.Pattern, text: str) -> list[Decimal]:
    return [value for _, value in _matches_with_values(pattern, text)]


def amounts_in(text: str) -> list[Decimal]:
    """Every amount of money (…元) written in `text`, in yuan, in order of appearance —
    in digits (8000元, 2万元, 10—30万元) or in Chinese numerals (两万元)."""
    found = [(m.start(), v) for m, v in _matches_with_values(_AMOUNT, text)]
    found += [(m.start(), value) for m in _CHINESE_AMOUNT.finditer(text) if (value := _chinese(m.group(1))) is not None]
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def figures_in(text: str) -> list[Decimal]:
    """Every figure with a unit (人, 家, %, 元 …) written in `text`."""
    return _values(_FIGURE, text)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    start: int  # offset in the squashed text
    end: int
    line: int  # line in the original text where it starts

    @property
    def mentions_payout(self) -> bool:
        return any(word in self.text for word in PAYOUT_WORDS)


class SourceText:
    """An official text, indexed for quote look-ups."""

    def __init__(self, text: str, path: str = ""):
        self.text = text
        self.path = path
        self.squashed = squash(text)
        # squashed offset -> original line number
        self._line_of: list[int] = []
        line = 1
        for ch in text:
            if ch == "\n":
                line += 1
            elif not ch.isspace():
                self._line_of.append(line)

    def line_at(self, offset: int) -> int:
        if not self._line_of:
            return 1
        return self._line_of[min(max(offset, 0), len(self._line_of) - 1)]

    def find(self, quote: str, start: int = 0, end: int | None = None) -> int:
        """Offset of the quote in the squashed text (within [start, end)), or -1."""
        needle = squash(quote)
        if not needle:
            return -1
        return self.squashed.find(needle, start, len(self.squashed) if end is None else end)

    def line_of_quote(self, quote: str) -> int | None:
        offset = self.find(quote)
        return None if offset < 0 else self.line_at(offset)

    def region(self, title: str, all_titles: list[str]) -> tuple[int, int] | None:
        """The squashed region a section heading covers: from its title to the next title."""
        start = self.find(title)
        if start < 0:
            return None
        later = [p for p in (self.find(t) for t in all_titles) if p > start]
        return start, min(later, default=len(self.squashed))

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        result = []
        start = 0
        for offset, ch in enumerate(self.squashed):
            if ch in _SENTENCE_END:
                result.append((start, offset + 1))
                start = offset + 1
        if start < len(self.squashed):
            result.append((start, len(self.squashed)))
        return tuple(
            Sentence(i, self.squashed[a:b], a, b, self.line_at(a)) for i, (a, b) in enumerate(result)
        )

    def sentences_overlapping(self, start: int, end: int) -> list[Sentence]:
        return [s for s in self.sentences if s.start < end and start < s.end]
