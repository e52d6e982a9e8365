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
    day = date.day
    if day > 28:  # only a day past the 28th can need clamping (a schedule shifts dates by the thousand)
        day = min(day, _month_days(year, month))
    return dt.date(year, month, day)


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(year: int, month: int) -> int:
    """`calendar.monthrange(year, month)[1]`, without working out the weekday."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def last_day_of_period(start: dt.date, amount: int, unit: str) -> dt.date:
    """The last day of a period of `amount` `unit`s starting on `start` (inclusive)."""
    return shift(start, amount, unit) - dt.timedelta(days=1)


def periods_started(first: dt.date, months: int, date: dt.date) -> int:
    """How many periods of `months` months, the first starting on `first`, start on or
    before `date`."""
    if first > date:
        return 0
    elapsed = (date.year - first.year) * 12 + date.month - first.month
    index = elapsed // months
    if shift(first, index * months, "months") > date:
        index -= 1
    return index + 1


def phases(first: dt.date | None, count: int | None, months: int | None, as_of: dt.date) \
        -> tuple[int, int, int | None]:
    """How many of a schedule's periods are past, current and future on `as_of`: the one
    rule the evaluator and the SQL back end share (docs/eval.md, "Schedules").

    A period is past when it ended before `as_of`, current when it contains it, future
    when it starts after it. A one-off (`months` None) is one period on its date. Undated
    periods (`first` None) are judged on the as-of facts: the first is current, the rest
    future. `count` None is an open-ended schedule: its future is None (no end)."""
    if first is None:
        if count == 0:
            return 0, 0, 0
        return 0, 1, None if count is None else count - 1
    if months is None:
        return (1, 0, 0) if first < as_of else (0, 1, 0) if first == as_of else (0, 0, 1)
    started = periods_started(first, months, as_of)
    if count is not None and started > count:
        return count, 0, 0
    if started == 0:
        return 0, 0, count
    return started - 1, 1, None if count is None else count - started
