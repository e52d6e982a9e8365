"""What a granted clause pays: the per-period amount, the dated schedule and the lifetime total.

The rules (docs/eval.md, "Amounts"): per period and per head, a fixed amount pays `low`,
"up to" its ceiling `high`, "at least" its floor `low`, a range `low`..`high`. The rate is
multiplied by the head count and capped per period when the cap's scope is the cadence.
A one-off pays one period; a recurring amount pays `max_periods` periods, or is
open-ended. Periods start at the anchor date (1 January of its year for "from year of")
and are undated without one. When the section's recorded reading is "stop", periods that
start after the window's end are dropped. A "total" cap limits the lifetime sum.

Totals are computed arithmetically; the list of periods is built only when asked for
(a monthly subsidy for ten years has 120 of them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from qzdsl.model import policy as m
from qzdsl.model.dates import shift
from qzdsl.money import times


@dataclass(frozen=True)
class Period:
    """One payment period. `start`/`end` are None when the clause has no anchor date;
    `low`/`high` as in `Payout`, after any total cap."""

    index: int  # 1-based
    start: dt.date | None
    end: dt.date | None
    low: Decimal | None
    high: Decimal | None


@dataclass(frozen=True)
class Payout:
    """What a clause pays this applicant.

    `low` is the guaranteed amount per period (None: nothing is guaranteed, e.g. "up
    to"); `high` the most it can be (None: no ceiling, e.g. "at least"); a fixed amount
    has low == high. Both are already multiplied by `heads` and capped per period.
    `count` is the number of periods paid (None: open-ended — recurring with no maximum
    duration and not ended by a window); `first` the start of the first period (None:
    undated). `total_low`/`total_high` are the lifetime sums (None when open-ended, or
    when nothing is guaranteed / there is no ceiling). `dropped` counts the periods of the
    maximum duration that start after the section's window ends (reading "stop"), and
    `cut_at` is that window end when it ended the schedule.
    """

    kind: m.AmountKind
    cadence: m.Cadence
    heads: int | None
    low: Decimal | None
    high: Decimal | None
    count: int | None
    first: dt.date | None
    total_low: Decimal | None
    total_high: Decimal | None
    total_cap: Decimal | None = None
    dropped: int = 0
    cut_at: dt.date | None = None

    @property
    def open_ended(self) -> bool:
        return self.count is None

    @property
    def value(self) -> Decimal:
        """The favourability value used by 从优、从高: the lifetime total at its high end
        (a ceiling counts at its ceiling, a floor at its floor); one period when open-ended."""
        if self.open_ended:
            return _top(self.low, self.high)
        return _top(self.total_low, self.total_high)

    @cached_property
    def periods(self) -> tuple[Period, ...]:
        """The schedule; an open-ended payout lists its first period only."""
        left_low = left_high = self.total_cap  # a total cap is used up period by period
        result = []
        for index in range(self.count or 1):
            start = self._start(index)
            low, high = self.low, self.high
            if left_high is not None:
                low = None if low is None else min(low, left_low)
                high = left_high if high is None else min(high, left_high)
                left_low -= low or 0
                left_high -= high
            end = start
            if start is not None and self.cadence.recurring:
                # A period ends the day before the next starts: clamped month ends leave no gap.
                end = self._start(index + 1) - dt.timedelta(days=1)
            result.append(Period(index + 1, start, end, low, high))
        return tuple(result)

    def _start(self, index: int) -> dt.date | None:
        if self.first is None or not self.cadence.recurring:
            return self.first
        return shift(self.first, index, self.cadence)


def _top(low: Decimal | None, high: Decimal | None) -> Decimal:
    if high is not None:
        return high
    return low if low is not None else Decimal(0)


def payout(clause: m.Clause, heads: int | None, anchor: dt.date | None,
           rate: Decimal | None = None) -> Payout | None:
    """The payout of a clause; None when it has no computable amount (`Clause.computes_amount`),
    or when its rate is a fact (`AmountSpec.fact`) and `rate`, the case's value of it, is
    not given. `heads` is the per-head count (None: no per-head) and `anchor` the value of
    the anchor date (None: no anchor, undated periods)."""
    if not clause.computes_amount:
        return None
    spec = clause.amount
    if spec.fact is not None:
        if rate is None:
            return None
        spec = spec.with_rate(rate)
    low, high = spec.rate_bounds
    if heads is not None:
        low = None if low is None else times(low, heads)
        high = None if high is None else times(high, heads)
    cap = spec.per_period_cap
    if cap is not None:
        low = None if low is None else min(low, cap)
        high = cap if high is None else min(high, cap)

    maximum = spec.max_count
    first = None
    count, dropped, cut_at = maximum, 0, None
    if anchor is not None:
        first = dt.date(anchor.year, 1, 1) if spec.calendar_year else anchor
        if clause.cut_by_window:
            stop = clause.window.stop
            within = _periods_until(first, spec.cadence, stop)
            if maximum is None or within < maximum:
                count, dropped, cut_at = within, (maximum or within) - within, stop
    total_cap = spec.total_cap
    if count is None:
        return Payout(spec.kind, spec.cadence, heads, low, high, None, first, None, None, total_cap)
    total_low = None if low is None else _capped(times(low, count), total_cap)
    total_high = total_cap if high is None else _capped(times(high, count), total_cap)
    return Payout(spec.kind, spec.cadence, heads, low, high, count, first, total_low, total_high, total_cap, dropped,
                  cut_at)


def _periods_until(first: dt.date, cadence: m.Cadence, stop: dt.date) -> int:
    """How many periods of `cadence` starting at `first` start on or before `stop`."""
    if first > stop:
        return 0
    per = cadence.months
    months = (stop.year - first.year) * 12 + stop.month - first.month
    index = months // per
    if shift(first, index, cadence) > stop:
        index -= 1
    return index + 1


def _capped(value: Decimal, cap: Decimal | None) -> Decimal:
    return value if cap is None else min(value, cap)
