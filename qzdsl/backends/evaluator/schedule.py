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
from dataclasses import fields, replace
from decimal import Decimal
from functools import cached_property

from qzdsl.frozen import frozen
from qzdsl.model import policy as m
from qzdsl.model.dates import periods_started, phases, shift
from qzdsl.money import times


_ONE_DAY = dt.timedelta(days=1)


@frozen(compiled_init=True)
class Period:
    """One payment period. `start`/`end` are None when the clause has no anchor date;
    `low`/`high` as in `Payout`, after any total cap."""

    index: int  # 1-based
    start: dt.date | None
    end: dt.date | None
    low: Decimal | None
    high: Decimal | None


@frozen(compiled_init=True)
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
    # Per period, when the amount differs from period to period (a head count or a rate
    # that changes over time, judged on each period's facts): each listed period's
    # `(low, high)`, already multiplied and capped per period, before any total cap. None:
    # every period pays `low`/`high`. An open-ended schedule lists as many periods as were
    # judged; the ones after them pay what the last one does.
    amounts: tuple[tuple[Decimal | None, Decimal | None], ...] | None = None
    listed: int | None = None  # periods listed of an open-ended schedule judged one by one

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

    @property
    def varies(self) -> bool:
        """Whether its periods pay different amounts (`amounts`)."""
        return self.amounts is not None and len(set(self.amounts)) > 1

    def amount(self, index: int) -> tuple[Decimal | None, Decimal | None]:
        """What the period at 0-based `index` pays, before any total cap."""
        if self.amounts is None:
            return self.low, self.high
        return self.amounts[min(index, len(self.amounts) - 1)]

    @property
    def period_count(self) -> int:
        """How many periods `periods` lists."""
        return self.count if self.count is not None else len(self.amounts) if self.amounts else self.listed or 1

    @cached_property
    def periods(self) -> tuple[Period, ...]:
        """The schedule; an open-ended payout lists its first period only, or the periods
        judged one by one (`amounts`)."""
        left_low = left_high = self.total_cap  # a total cap is used up period by period
        result = []
        listed = self.period_count
        recurring = self.cadence.recurring
        start = self._start(0)
        for index in range(listed):
            low, high, left_low, left_high = _within_cap(*self.amount(index), left_low, left_high)
            following = self._start(index + 1) if start is not None and recurring else start
            # A period ends the day before the next starts: clamped month ends leave no gap.
            end = following - _ONE_DAY if start is not None and recurring else start
            result.append(Period(index + 1, start, end, low, high))
            start = following
        return tuple(result)

    def _start(self, index: int) -> dt.date | None:
        if self.first is None or not self.cadence.recurring:
            return self.first
        return shift(self.first, index, self.cadence)


@frozen(compiled_init=True)
class Timeline:
    """A granted schedule on the as-of date: how many periods are past, current and future
    (`model.dates.phases`), and what is owed for each phase — `paid` for periods already
    over, `due` for the current one, `projected` for those to come (each `(low, high)`
    as in `Payout`, after any total cap; `projected` is (None, None) when open-ended).

    `states` is None when every period is judged on the same facts (a case whose facts do
    not change over time): each period's state is then its phase's. Otherwise it has one
    `PeriodState` per period of `Payout.periods`, each judged on the facts of that period;
    `stopped` and `undetermined` count the periods that pay nothing for that reason.
    `tail` is, for an open-ended schedule judged period by period, the state of every
    period after the listed ones (they share the last one's facts): projected (`future` is
    then None, no end), stopped (the schedule ended) or undetermined."""

    past: int
    current: int
    future: int | None
    paid: tuple[Decimal | None, Decimal | None]
    due: tuple[Decimal | None, Decimal | None]
    projected: tuple[Decimal | None, Decimal | None]
    states: tuple[m.PeriodState, ...] | None = None
    stopped: int = 0
    undetermined: int = 0
    stopped_from: dt.date | None = None  # the start of the first stopped period
    tail: m.PeriodState | None = None

    def state(self, index: int) -> m.PeriodState:
        """The state of the period at 0-based `index`."""
        if self.states is not None:
            return self.states[index]
        if index < self.past:
            return m.PeriodState.PAID
        return m.PeriodState.DUE if index < self.past + self.current else m.PeriodState.PROJECTED

    @property
    def total(self) -> tuple[Decimal | None, Decimal | None]:
        """What the schedule pays over its periods that pay: paid + due + projected."""
        return tuple(_sum(p, d, f) for p, d, f in zip(self.paid, self.due, self.projected))


_new = object.__new__
_timeline_state = Timeline.__dict__["__dict__"].__set__
_payout_state = Payout.__dict__["__dict__"].__set__
if tuple(f.name for f in fields(Payout)) != ("kind", "cadence", "heads", "low", "high", "count", "first", "total_low",
                                             "total_high", "total_cap", "dropped", "cut_at", "amounts", "listed"):
    raise TypeError("Payout's fields changed: `payout` sets them at once")
if tuple(f.name for f in fields(Timeline)) != ("past", "current", "future", "paid", "due", "projected", "states",
                                               "stopped", "undetermined", "stopped_from", "tail"):
    raise TypeError("Timeline's fields changed: `timeline` sets them at once")


def favourability(p: Payout, line: Timeline | None = None) -> Decimal:
    """The favourability value used by 从优、从高 (`Payout.value`), under the facts given:
    when the periods were judged one by one (`line.states`), what the schedule pays over
    the periods that pay — a stopped or undetermined period counts nothing —; an
    open-ended schedule with no end still counts one period. On a case whose facts do not
    change over time (and on a batch row) this is `Payout.value`."""
    if line is None or line.states is None or line.future is None:
        return p.value
    return _top(*line.total)


def _within_cap(low, high, left_low, left_high):
    """One period's `(low, high)` under a total cap of which `(left_low, left_high)` is
    still unused (None: no total cap), and what is left of it after this period."""
    if left_high is None:
        return low, high, left_low, left_high
    low = None if low is None else min(low, left_low)
    high = left_high if high is None else min(high, left_high)
    return low, high, left_low - (low or 0), left_high - high


def timeline(p: Payout, as_of: dt.date, judged: tuple[bool | None, ...] | None = None) -> Timeline:
    """The payout's timeline on `as_of`. `judged` (one per period of `p.periods`: the
    continuing condition held, failed or is unknown there) judges periods one by one;
    None means every period is paid by its phase."""
    past, current, future = phases(p.first, p.count, p.cadence.months, as_of)
    if judged is None:
        paid = _cumulative(p, past)
        upto = _cumulative(p, past + current)
        end = None if future is None else _cumulative(p, past + current + future)
        line = _new(Timeline)  # Timeline(past, current, future, paid, due, projected), its state set at once
        _timeline_state(line, {"past": past, "current": current, "future": future, "paid": paid,
                               "due": _minus(upto, paid),
                               "projected": (None, None) if end is None else _minus(end, upto),
                               "states": None, "stopped": 0, "undetermined": 0, "stopped_from": None, "tail": None})
        return line
    phase_of = [m.PeriodState.PAID] * past + [m.PeriodState.DUE] * current
    phase_of += [m.PeriodState.PROJECTED] * (len(judged) - len(phase_of))
    totals = {state: [Decimal(0) if p.low is not None else None, Decimal(0) if p.high is not None or p.total_cap
                      is not None else None] for state in (m.PeriodState.PAID, m.PeriodState.DUE,
                                                             m.PeriodState.PROJECTED)}
    left_low = left_high = p.total_cap
    states, stopped, undetermined, stopped_from = [], 0, 0, None
    # One entry per period of `p.periods` (`judged` has as many), without building them:
    # only the first stopped period's start is needed.
    for index, (held, phase) in enumerate(zip(judged[:p.period_count], phase_of)):
        if held is not True:
            state = m.PeriodState.STOPPED if held is False else m.PeriodState.UNDETERMINED
            stopped += held is False
            undetermined += held is None
            if held is False and stopped_from is None:
                stopped_from = p._start(index)
            states.append(state)
            continue
        low, high, left_low, left_high = _within_cap(*p.amount(index), left_low, left_high)
        sums = totals[phase]
        sums[0] = None if sums[0] is None or low is None else sums[0] + low
        sums[1] = None if sums[1] is None or high is None else sums[1] + high
        states.append(phase)
    tail = None
    if p.count is None:
        # Open-ended: the periods after the listed ones are judged as the last listed one,
        # which starts after every change (the evaluator lists them so far).
        tail = states[-1] if states[-1] in (m.PeriodState.STOPPED, m.PeriodState.UNDETERMINED) \
            else m.PeriodState.PROJECTED
        if tail is m.PeriodState.PROJECTED:
            totals[m.PeriodState.PROJECTED] = [None, None]  # no end
        else:
            future = len(states) - past - current
    return Timeline(past, current, future, *(tuple(totals[s]) for s in (m.PeriodState.PAID, m.PeriodState.DUE,
                                                                       m.PeriodState.PROJECTED)),
                    tuple(states), stopped, undetermined, stopped_from, tail)


def _cumulative(p: Payout, n: int) -> tuple[Decimal | None, Decimal | None]:
    """What the first `n` periods pay together, after the total cap."""
    cap, low, high = p.total_cap, p.low, p.high
    if low is not None:
        low = times(low, n)
        if cap is not None and cap < low:
            low = cap
    if high is None:
        high = None if cap is None else (cap if n else Decimal(0))
    else:
        high = times(high, n)
        if cap is not None and cap < high:
            high = cap
    return low, high


def _minus(a: tuple, b: tuple) -> tuple[Decimal | None, Decimal | None]:
    (a_low, a_high), (b_low, b_high) = a, b
    return (None if a_low is None or b_low is None else a_low - b_low,
            None if a_high is None or b_high is None else a_high - b_high)


def _sum(*values: Decimal | None) -> Decimal | None:
    return None if any(v is None for v in values) else sum(values, Decimal(0))


def _top(low: Decimal | None, high: Decimal | None) -> Decimal:
    if high is not None:
        return high
    return low if low is not None else Decimal(0)


def per_period(clause: m.Clause, heads: int | None, rate: Decimal | None = None) \
        -> tuple[Decimal | None, Decimal | None] | None:
    """What one period pays (`Payout.low`, `Payout.high`): the rate, or `rate` (the case's
    value of the amount's rate fact), multiplied by `heads` (None: no per-head) and capped
    per period. None when the rate is a fact and `rate` is not given."""
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
    return low, high


def dates(clause: m.Clause, anchor: dt.date | None) -> tuple[dt.date | None, int | None, int, dt.date | None]:
    """(first period's start, number of periods, periods dropped, window end that cut them)
    of a clause's schedule from `anchor` (None: undated periods); the count is None when
    the schedule is open-ended."""
    spec = clause.amount
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
    return first, count, dropped, cut_at


def spans(first: dt.date, count: int, cadence: m.Cadence) -> tuple[tuple[dt.date, dt.date], ...]:
    """The (start, end) of the first `count` periods of a dated schedule (as `Payout.periods`
    dates them: a period ends the day before the next starts; a one-off on its date)."""
    if not cadence.recurring:
        return ((first, first),) * count
    starts = [shift(first, index, cadence) for index in range(count + 1)]
    return tuple((starts[i], starts[i + 1] - _ONE_DAY) for i in range(count))


def payout(clause: m.Clause, heads: int | None, anchor: dt.date | None,
           rate: Decimal | None = None,
           amounts: tuple[tuple[Decimal | None, Decimal | None], ...] | None = None, now: int = 0) -> Payout | None:
    """The payout of a clause; None when it has no computable amount (`Clause.computes_amount`),
    or when its rate is a fact (`AmountSpec.fact`) and `rate`, the case's value of it, is
    not given. `heads` is the per-head count (None: no per-head) and `anchor` the value of
    the anchor date (None: no anchor, undated periods).

    `amounts`, when the amount is judged period by period (`Payout.amounts`), gives each
    period's `(low, high)`; `Payout.low`/`high` are then those of the period at 0-based
    index `now` (the current one), and `heads` (that period's head count, None when it
    varies within it or is unknown) only says what reports show."""
    if not clause.computes_amount:
        return None
    spec = clause.amount
    first, count, dropped, cut_at = dates(clause, anchor)
    total_cap = spec.total_cap
    if amounts is not None:
        low, high = amounts[min(now, len(amounts) - 1)]
        result = Payout(spec.kind, spec.cadence, heads, low, high, count, first, None, None, total_cap, dropped,
                        cut_at, amounts)
        if count is None:
            return result
        lows, highs = [x.low for x in result.periods], [x.high for x in result.periods]
        return replace(result, total_low=None if None in lows else sum(lows, Decimal(0)),
                       total_high=None if None in highs else sum(highs, Decimal(0)))
    bounds = per_period(clause, heads, rate)
    if bounds is None:
        return None
    low, high = bounds
    if count is None:
        total_low = total_high = None
    else:
        total_low = None if low is None else _capped(times(low, count), total_cap)
        total_high = total_cap if high is None else _capped(times(high, count), total_cap)
    result = _new(Payout)  # Payout(kind, …, dropped, cut_at), its state set at once
    _payout_state(result, {"kind": spec.kind, "cadence": spec.cadence, "heads": heads, "low": low, "high": high,
                           "count": count, "first": first, "total_low": total_low, "total_high": total_high,
                           "total_cap": total_cap, "dropped": dropped if count is not None else 0,
                           "cut_at": cut_at if count is not None else None, "amounts": None, "listed": None})
    return result


def _periods_until(first: dt.date, cadence: m.Cadence, stop: dt.date) -> int:
    """How many periods of `cadence` starting at `first` start on or before `stop`."""
    return periods_started(first, cadence.months, stop)


def _capped(value: Decimal, cap: Decimal | None) -> Decimal:
    return value if cap is None else min(value, cap)


@frozen(compiled_init=True)
class Part:
    """Some periods of a schedule and what they pay (low: guaranteed, None: nothing is;
    high: the most, None: no ceiling)."""

    count: int
    low: Decimal | None
    high: Decimal | None


@frozen(compiled_init=True)
class TrialSplit:
    """A dated recurring schedule that runs past its section's trial end (`end`): what
    the periods starting inside the trial pay (`inside`) and what those starting after it
    pay (`after`; nothing when the reading `after_end` is "stop"); what the schedule pays
    in all under the other reading of what happens after the trial (`other_total`); and,
    under the other reading of when the trial ends (`other_end`, `Window.other_end`), the
    periods inside and after that date."""

    end: dt.date
    after_end: m.AfterEnd
    inside: Part
    after: Part
    other_after_end: m.AfterEnd
    other_total: Part
    other_end: dt.date | None = None
    other_inside: Part | None = None
    other_after: Part | None = None


_NOTHING = Part(0, Decimal(0), Decimal(0))


def trial_split(clause: m.Clause, paid: Payout | None, line: Timeline | None = None) -> TrialSplit | None:
    """How a granted clause's schedule falls on either side of its trial's end, under the
    recorded readings and the other ones. None when it cannot run past the end (or the
    other end): no trial, a one-off, an undated or open-ended schedule. With `line`, the
    schedule's timeline judged period by period, a stopped or undetermined period pays
    nothing on either side."""
    window = clause.window
    if paid is None or window.end is None or paid.first is None or not paid.cadence.recurring:
        return None
    count = clause.amount.max_count
    if count is None:
        return None
    full = paid if paid.count == count else replace(paid, count=count, dropped=0, cut_at=None)
    last = full.periods[-1].start
    ends = [d for d in (window.end, window.other_end) if d is not None]
    if last <= min(ends):
        return None  # the whole schedule starts inside the trial, whichever end is read
    continues = window.after_end is m.AfterEnd.CONTINUE
    pays = None
    if line is not None and line.states is not None:
        pays = tuple(line.states[i].pays if i < len(line.states) else True for i in range(len(full.periods)))
    inside, after = _split_at(full, window.end, pays)
    result = TrialSplit(window.end, window.after_end, inside, after if continues else _NOTHING,
                        m.AfterEnd.STOP if continues else m.AfterEnd.CONTINUE,
                        inside if continues else _part(full.periods, pays))
    if window.other_end is not None:
        other_inside, other_after = _split_at(full, window.other_end, pays)
        result = replace(result, other_end=window.other_end, other_inside=other_inside,
                         other_after=other_after if continues else _NOTHING)
    return result


def _split_at(full: Payout, end: dt.date, pays: tuple[bool, ...] | None) -> tuple[Part, Part]:
    periods = full.periods
    inside = sum(1 for p in periods if p.start <= end)
    if pays is None:
        return _part(periods[:inside]), _part(periods[inside:])
    return _part(periods[:inside], pays[:inside]), _part(periods[inside:], pays[inside:])


def _part(periods, pays: tuple[bool, ...] | None = None) -> Part:
    """What `periods` pay together; with `pays`, only those that pay count."""
    if pays is not None:
        zero = Period(0, None, None, Decimal(0), Decimal(0))
        count = len(periods)
        periods = [p if paying else zero for p, paying in zip(periods, pays)]
        lows, highs = [p.low for p in periods], [p.high for p in periods]
        return Part(count, None if None in lows else sum(lows, Decimal(0)),
                    None if None in highs else sum(highs, Decimal(0)))
    lows, highs = [p.low for p in periods], [p.high for p in periods]
    low = None if None in lows else sum(lows, Decimal(0))
    high = None if None in highs else sum(highs, Decimal(0))
    return Part(len(periods), low, high)
