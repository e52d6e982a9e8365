"""Calendar arithmetic shared by the compiler, the evaluator and the back ends."""

from __future__ import annotations

import calendar
import datetime as dt


def shift(date: dt.date, amount: int, unit: str, sign: int = 1) -> dt.date:
    """`date` moved by `amount` years, months or days; the 29th of February and
    month ends clamp to the last day of the target month."""
    if unit == "days":
        return date + dt.timedelta(days=sign * amount)
    months = sign * amount * (12 if unit == "years" else 1)
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def last_day_of_period(start: dt.date, amount: int, unit: str) -> dt.date:
    """The last day of a period of `amount` `unit`s starting on `start` (inclusive)."""
    return shift(start, amount, unit) - dt.timedelta(days=1)
