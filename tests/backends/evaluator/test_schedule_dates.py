"""The dates of a schedule's periods (`schedule.Payout.periods`, `schedule.spans`): period i
starts i cadences after the first (month ends clamped), and ends the day before the next."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qzdsl.backends.evaluator.schedule import Payout, spans
from qzdsl.model import policy as m
from qzdsl.model.dates import shift

FIRSTS = (dt.date(2024, 1, 31), dt.date(2023, 2, 28), dt.date(2024, 2, 29), dt.date(2023, 12, 30), dt.date(2025, 6, 1))


@pytest.mark.parametrize("cadence", list(m.Cadence))
def test_spans_and_periods_date_every_period_alike(cadence):
    for first in FIRSTS:
        for count in (0, 1, 2, 13, 120):
            periods = Payout(m.AmountKind.FIXED, cadence, None, Decimal(1), Decimal(1), count, first, None,
                             None).periods
            assert spans(first, count, cadence) == tuple((p.start, p.end) for p in periods)
            assert [p.index for p in periods] == list(range(1, count + 1))
            for i, period in enumerate(periods):
                if cadence.recurring:
                    assert period.start == shift(first, i, cadence)
                    assert period.end == shift(first, i + 1, cadence) - dt.timedelta(days=1)
                else:
                    assert period.start == period.end == first
