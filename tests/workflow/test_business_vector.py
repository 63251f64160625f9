"""The vectorised business-time deadlines agree with the reference maths to the microsecond."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.core.business_hours import Calendar, Shift, add_business_time
from helpline.workflow.business_vector import deadlines, from_micros, to_micros

UTC = dt.UTC
CALENDARS = [
    Calendar(
        "Europe/Berlin",
        tuple(Shift(d, dt.time(9), dt.time(17)) for d in range(5)),
        frozenset({dt.date(2025, 3, 31), dt.date(2025, 12, 25)}),
    ),
    Calendar("America/New_York", tuple(Shift(d, dt.time(22), dt.time(6)) for d in range(7))),  # overnight
    Calendar("Asia/Kolkata", (Shift(0, dt.time(10, 30), dt.time(13)), Shift(0, dt.time(14), dt.time(18, 15)))),
]

moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
spans = st.integers(min_value=0, max_value=60 * 60 * 24 * 14 * 1_000_000)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(range(len(CALENDARS))), st.lists(st.tuples(moments, spans), min_size=1, max_size=25))
def test_vectorised_deadlines_match_add_business_time(index: int, clocks: list[tuple[dt.datetime, int]]) -> None:
    calendar = CALENDARS[index]
    starts = np.array([to_micros(s) for s, _span in clocks], dtype=np.int64)
    lengths = np.array([span for _s, span in clocks], dtype=np.int64)
    got = deadlines(calendar, starts, lengths)
    for (start, span), value in zip(clocks, got, strict=True):
        expected = add_business_time(calendar, start, dt.timedelta(microseconds=span)) if span else start
        assert from_micros(int(value)) == expected


def test_micro_round_trip_and_boundaries() -> None:
    calendar = CALENDARS[0]
    friday_close = dt.datetime(2025, 1, 10, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    starts = np.array([to_micros(friday_close)] * 3, dtype=np.int64)
    spans = np.array([0, 1_000_000, 3600 * 1_000_000], dtype=np.int64)
    got = [from_micros(int(v)) for v in deadlines(calendar, starts, spans)]
    monday_open = dt.datetime(2025, 1, 13, 8, 0, tzinfo=UTC)
    assert got == [friday_close, monday_open + dt.timedelta(seconds=1), monday_open + dt.timedelta(hours=1)]
    assert deadlines(calendar, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0
