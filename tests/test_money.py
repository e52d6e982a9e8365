"""The money module: every accepted spelling of an amount, the fen rule, exact arithmetic and
the one JSON form — property-tested against cn2an for Chinese numerals."""

from __future__ import annotations

import decimal
import json
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qzdsl.money import (AmountError, chinese_numeral, from_json, is_fen_exact, parse_amount, parse_number,
                         times, to_json, total)

amounts = st.integers(min_value=0, max_value=10**11)
fen_amounts = st.integers(min_value=0, max_value=10**13).map(lambda fen: Decimal(fen) / 100)


@pytest.mark.parametrize("text, value", [
    ("8000", 8000), ("8000元", 8000), ("20,000", 20000), ("1,234,567.5", Decimal("1234567.5")),
    ("２００００", 20000), ("２０，０００元", 20000), ("2万", 20000), ("2万元", 20000), ("2.5万", 25000),
    ("1.5万", 15000), ("3.5万", 35000), ("10亿", 1_000_000_000), ("10亿元", 1_000_000_000),
    ("0.5", Decimal("0.5")), ("350.50", Decimal("350.50")), (" 8000 ", 8000),
])
def test_arabic_spellings(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, value", [
    # The first three were misread by the old hand-written reader (10005, 2005, 30005).
    ("一万五", 15000), ("两千五", 2500), ("三万五", 35000),
    ("两万", 20000), ("两万元", 20000), ("一万五千", 15000), ("一万零五", 10005), ("十", 10), ("十五", 15),
    ("二十", 20), ("一百零五", 105), ("两千五百", 2500), ("两万五千", 25000), ("三十万", 300000),
    ("一亿五千万", 150_000_000), ("十亿", 1_000_000_000), ("零", 0),
    # 大写, as on cheques and grant notices.
    ("壹万贰仟", 12000), ("壹万贰仟元", 12000), ("贰万", 20000), ("伍仟", 5000), ("叁佰", 300),
])
def test_chinese_numerals(text, value):
    assert parse_amount(text) == value


def test_whole_amounts_have_no_decimal_places():
    assert str(parse_number("1.5万")) == "15000"
    assert str(parse_number("2万元")) == "20000"
    assert str(parse_number("２．５万")) == "25000"


@pytest.mark.parametrize("text, reason", [
    ("", "form"), ("abc", "form"), ("万", "form"), ("十万万", "form"), ("2万5", "form"), ("一点五万", "form"),
    ("1e5", "form"), ("8000.", "form"), ("20,00", "form"),
    # Digit-by-digit readings are codes or slips, not amounts: not guessed.
    ("一二三", "form"), ("两两", "form"),
    ("-5", "negative"), ("-2万", "negative"),
    ("350.505", "sub_fen"), ("0.0000001万", "sub_fen"),
])
def test_what_is_not_an_amount_says_why(text, reason):
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    assert raised.value.reason == reason


def test_the_fen_rule_counts_value_not_spelling():
    # Trailing zeros and a magnitude can leave a value exact to the fen.
    assert parse_amount("350.500") == Decimal("350.50")
    assert parse_amount("1.2345万") == 12345
    assert parse_number("350.505") == Decimal("350.505")  # a plain number has no fen rule
    assert is_fen_exact(Decimal("0E-10")) and is_fen_exact(Decimal("1E+5")) and not is_fen_exact(Decimal("0.001"))


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_everyday_numerals_read_as_cn2an_writes_them(n):
    assert parse_amount(cn2an.an2cn(n, "low")) == n
    assert parse_amount(cn2an.an2cn(n, "low") + "元") == n


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_capital_numerals_read_as_cn2an_writes_them(n):
    assert parse_amount(cn2an.an2cn(n, "up")) == n


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_chinese_numerals_agree_with_cn2an(n):
    text = cn2an.an2cn(n, "low")
    assert chinese_numeral(text) == cn2an.cn2an(text, "normal")


@settings(max_examples=300, deadline=None)
@given(fen_amounts)
def test_arabic_separators_and_full_width_digits(value):
    plain = f"{value:.2f}"
    grouped = f"{value:,.2f}"
    full_width = grouped.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,."})
    assert parse_amount(plain) == parse_amount(grouped) == parse_amount(full_width) == value


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8))
def test_wan_with_decimals(hundredths):
    wan = Decimal(hundredths) / 100
    assert parse_amount(f"{wan}万") == hundredths * 100


@settings(max_examples=300, deadline=None)
@given(fen_amounts)
def test_json_is_an_int_when_whole_else_two_decimals_and_round_trips(value):
    encoded = to_json(value)
    if value == value.to_integral_value():
        assert isinstance(encoded, int)
    else:
        assert isinstance(encoded, str) and len(encoded.split(".")[1]) == 2
    assert from_json(json.loads(json.dumps(encoded))) == value


def test_json_examples():
    assert to_json(Decimal("20000.00")) == 20000
    assert to_json(Decimal("350.5")) == "350.50"
    assert to_json(None) is None


def test_arithmetic_is_exact_and_never_rounds():
    assert total([Decimal("0.10")] * 10) == 1
    assert total([None, 5, Decimal("0.01")]) == Decimal("5.01")
    assert times(Decimal("8000.05"), 3) == Decimal("24000.15")
    assert times(Decimal(10**30) + Decimal("0.01"), 10**20) == Decimal(10**50) + Decimal(10**18)
    with pytest.raises(decimal.Inexact):  # beyond the exact context's 60 digits: refused, never rounded
        times(Decimal(10**59 + 1), 10**5 + 1)
    with pytest.raises((decimal.Inexact, decimal.Rounded)):
        total([Decimal(10**60), Decimal("0.5")])
