"""Business-hours maths: property tests over time zones, DST changes, holidays and overnight shifts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.core.business_hours import (
    ALWAYS_OPEN,
    Calendar,
    NoBusinessTimeError,
    Shift,
    add_business_time,
    business_time_between,
    next_open,
)

UTC = dt.UTC
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Tbilisi",
    "America/Santiago",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",
]

times = st.integers(min_value=0, max_value=24 * 4 - 1).map(lambda q: dt.time(q // 4, (q % 4) * 15))
shifts = st.builds(Shift, weekday=st.integers(0, 6), start=times, end=times)
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    return Calendar(
        time_zone=draw(st.sampled_from(ZONES)),
        shifts=tuple(draw(st.lists(shifts, min_size=1, max_size=6))),
        holidays=frozenset(draw(st.lists(dates, max_size=8))),
    )


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31), timezones=st.just(UTC))
durations = st.integers(min_value=0, max_value=20 * 3600).map(lambda s: dt.timedelta(seconds=s))
MICRO = dt.timedelta(microseconds=1)


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, durations)
def test_adding_then_measuring_round_trips(calendar: Calendar, start: dt.datetime, duration: dt.timedelta) -> None:
    end = add_business_time(calendar, start, duration)
    assert end >= start
    assert business_time_between(calendar, start, end) == duration
    if duration:
        # The earliest such moment: business time was running just before it.
        assert calendar.is_open(end - MICRO)
        assert business_time_between(calendar, start, end - MICRO) < duration


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, st.lists(durations, min_size=2, max_size=2))
def test_measuring_is_additive_and_bounded_by_elapsed_time(
    calendar: Calendar, a: dt.datetime, gaps: list[dt.timedelta]
) -> None:
    b = a + gaps[0] * 3
    c = b + gaps[1] * 3
    ab, bc, ac = (business_time_between(calendar, x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ac == ab + bc
    assert ZERO <= ab <= b - a
    assert business_time_between(calendar, c, a) == ZERO


ZERO = dt.timedelta(0)


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, durations, durations)
def test_adding_in_two_steps_equals_adding_once(
    calendar: Calendar, start: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    if not d1:
        d1 = dt.timedelta(seconds=1)
    if not d2:
        d2 = dt.timedelta(seconds=1)
    once = add_business_time(calendar, start, d1 + d2)
    assert add_business_time(calendar, add_business_time(calendar, start, d1), d2) == once


@settings(max_examples=100, deadline=None)
@given(calendars(), st.data())
def test_no_business_time_on_a_holiday(calendar: Calendar, data: st.DataObject) -> None:
    holiday = data.draw(dates)
    cal = Calendar(calendar.time_zone, calendar.shifts, calendar.holidays | {holiday})
    tz = ZoneInfo(cal.time_zone)
    day_start = dt.datetime.combine(holiday, dt.time(0), tzinfo=tz)
    day_end = dt.datetime.combine(holiday + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    assert business_time_between(cal, day_start, day_end) == ZERO
    probe = data.draw(st.integers(0, int((day_end - day_start).total_seconds()) - 1))
    assert not cal.is_open(day_start.astimezone(UTC) + dt.timedelta(seconds=probe))


@settings(max_examples=100, deadline=None)
@given(calendars(), moments)
def test_next_open_is_open_and_nothing_is_skipped(calendar: Calendar, moment: dt.datetime) -> None:
    opens = next_open(calendar, moment)
    assert opens >= moment
    assert calendar.is_open(opens)
    assert business_time_between(calendar, moment, opens) == ZERO


@settings(max_examples=50, deadline=None)
@given(moments, durations)
def test_always_open_is_plain_addition(start: dt.datetime, duration: dt.timedelta) -> None:
    assert add_business_time(ALWAYS_OPEN, start, duration) == start + duration
    assert business_time_between(ALWAYS_OPEN, start, start + duration) == duration


def weekdays(start: str, end: str, tz: str = "Europe/Berlin", holidays: frozenset[dt.date] = frozenset()) -> Calendar:
    s, e = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    return Calendar(tz, tuple(Shift(d, s, e) for d in range(7)), holidays)


def test_spring_forward_shortens_a_shift_that_spans_the_gap() -> None:
    cal = weekdays("00:00", "04:00")
    day = dt.datetime(2024, 3, 31, tzinfo=UTC)  # Europe/Berlin jumps 02:00 → 03:00
    assert business_time_between(cal, day - dt.timedelta(hours=2), day + dt.timedelta(hours=5)) == dt.timedelta(hours=3)


def test_fall_back_lengthens_a_shift_that_spans_the_repeated_hour() -> None:
    cal = weekdays("00:00", "04:00")
    day = dt.datetime(2024, 10, 27, tzinfo=UTC)  # 03:00 → 02:00
    assert business_time_between(cal, day - dt.timedelta(hours=3), day + dt.timedelta(hours=6)) == dt.timedelta(hours=5)


def test_office_hours_keep_their_length_on_dst_days_and_move_in_utc() -> None:
    cal = weekdays("09:00", "17:00")
    before = dt.datetime(2024, 3, 30, 12, tzinfo=UTC)
    # Friday 30 March 13:00 CET → 4h left that day, then Sunday 31 March opens at 09:00 CEST = 07:00 UTC.
    assert add_business_time(cal, before, dt.timedelta(hours=6)) == dt.datetime(2024, 3, 31, 9, tzinfo=UTC)


def test_overnight_shift_crosses_midnight_and_a_holiday_cuts_it() -> None:
    night = Calendar("UTC", (Shift(4, dt.time(22), dt.time(6)),))  # Friday 22:00 → Saturday 06:00
    friday = dt.datetime(2025, 1, 3, 21, tzinfo=UTC)
    assert add_business_time(night, friday, dt.timedelta(hours=3)) == dt.datetime(2025, 1, 4, 1, tzinfo=UTC)
    cut = Calendar("UTC", night.shifts, frozenset({dt.date(2025, 1, 4)}))
    assert business_time_between(cut, friday, friday + dt.timedelta(hours=12)) == dt.timedelta(hours=2)
    # The next shift is a week later.
    assert add_business_time(cut, friday, dt.timedelta(hours=3)) == dt.datetime(2025, 1, 10, 23, tzinfo=UTC)


def test_calendars_that_cannot_work_are_refused() -> None:
    with pytest.raises(NoBusinessTimeError):
        Calendar("UTC", ())
    with pytest.raises(Exception):  # noqa: B017 - ZoneInfoNotFoundError
        Calendar("Mars/Olympus", (Shift(0, dt.time(9), dt.time(17)),))
    with pytest.raises(ValueError):
        add_business_time(ALWAYS_OPEN, dt.datetime(2025, 1, 1), dt.timedelta(hours=1))
    every_day = {dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(366 * 6)}
    doomed = Calendar("UTC", (Shift(0, dt.time(9), dt.time(17)),), frozenset(every_day))
    with pytest.raises(NoBusinessTimeError):
        add_business_time(doomed, dt.datetime(2025, 1, 1, tzinfo=UTC), dt.timedelta(hours=1))
