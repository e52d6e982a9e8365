"""Calendar arithmetic (`model.dates`): `shift` clamps month ends as the calendar says."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from qzdsl.model.dates import shift


def _by_the_calendar(date: dt.date, amount: int, unit: str, sign: int = 1) -> dt.date:
    """The rule written out with `calendar.monthrange`, as `shift` first was."""
    if unit == "days":
        return date + dt.timedelta(days=sign * amount)
    index = date.year * 12 + (date.month - 1) + sign * amount * (12 if unit == "years" else 1)
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(date.day, calendar.monthrange(year, month + 1)[1]))


@pytest.mark.parametrize("unit", ["months", "years", "days"])
def test_shift_clamps_to_the_last_day_of_the_target_month(unit):
    starts = [dt.date(year, month, day) for year in (1999, 2000, 2023, 2024, 2100) for month in range(1, 13)
              for day in (1, 15, 28, 29, 30, 31) if day <= calendar.monthrange(year, month)[1]]
    for start in starts:
        for amount in (0, 1, 2, 11, 12, 13, 25, 48, 121):
            for sign in (1, -1):
                assert shift(start, amount, unit, sign) == _by_the_calendar(start, amount, unit, sign), \
                    (start, amount, unit, sign)
    assert shift(dt.date(2024, 1, 31), 1, "months") == dt.date(2024, 2, 29)
    assert shift(dt.date(2023, 1, 31), 1, "months") == dt.date(2023, 2, 28)
    assert shift(dt.date(2024, 2, 29), 1, "years") == dt.date(2025, 2, 28)
    assert shift(dt.date(1900, 1, 29), 1, "months") == dt.date(1900, 2, 28)  # 1900: not a leap year
