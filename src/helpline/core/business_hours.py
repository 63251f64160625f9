"""Business-hours maths: weekly shifts in a time zone, with holidays.

A calendar is a time zone, a set of weekly shifts and a set of holiday dates. A shift starts on a
weekday at a local wall-clock time and ends at a later local time; when the end is not after the
start it ends on the next day (an overnight shift). Business time is *elapsed* time inside shifts:
a 09:00-17:00 shift is 8 hours even on a daylight-saving change day, and a shift that spans the
spring-forward gap is one hour shorter. A local time that does not exist (inside the gap) is read
with the offset in force before the change; an ambiguous one (inside the repeated hour) is read as
its first occurrence. A holiday removes every moment whose local date is that day, including the
part of an overnight shift that runs past midnight into it.

All inputs and outputs are timezone-aware datetimes; results are in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = dt.UTC
ZERO = dt.timedelta(0)
# How far ahead add_business_time looks before deciding a calendar can never supply the time.
MAX_SEARCH_DAYS = 366 * 5
_CHUNK_DAYS = 7


class NoBusinessTimeError(ValueError):
    """The calendar has no working time (no shifts, or holidays cover every shift)."""


@dataclass(frozen=True, order=True)
class Shift:
    weekday: int  # 0 = Monday … 6 = Sunday (the day the shift starts)
    start: dt.time
    end: dt.time  # not after `start` → the shift ends on the next day

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, not {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("shift times are local wall-clock times without a time zone")

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Calendar:
    time_zone: str
    shifts: tuple[Shift, ...]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # raises for an unknown zone
        if not self.shifts:
            raise NoBusinessTimeError("a calendar needs at least one working shift")

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.time_zone)

    def intervals(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Business intervals (UTC, sorted, non-overlapping) that meet [start, end)."""
        yield from _clip(_merged(self._raw_intervals(start, end)), _utc(start), _utc(end))

    def is_open(self, moment: dt.datetime) -> bool:
        moment = _utc(moment)
        return any(a <= moment < b for a, b in self.intervals(moment, moment + dt.timedelta(microseconds=1)))

    def _raw_intervals(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        tz = self.tz
        day = _utc(start).astimezone(tz).date() - dt.timedelta(days=1)
        last = _utc(end).astimezone(tz).date()
        while day <= last:
            yield from _day_pieces(self, day)
            day += dt.timedelta(days=1)


@lru_cache(maxsize=65536)
def _day_pieces(calendar: Calendar, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The UTC pieces of the shifts that start on local `day` (cached: calendars are immutable)."""
    tz = calendar.tz
    pieces: list[tuple[dt.datetime, dt.datetime]] = []
    for shift in calendar.shifts:
        if shift.weekday != day.weekday():
            continue
        end_day = day + dt.timedelta(days=1) if shift.overnight else day
        a = dt.datetime.combine(day, shift.start, tzinfo=tz).astimezone(UTC)
        b = dt.datetime.combine(end_day, shift.end, tzinfo=tz).astimezone(UTC)
        if shift.overnight and shift.end != dt.time(0):
            midnight = dt.datetime.combine(end_day, dt.time(0), tzinfo=tz).astimezone(UTC)
            parts = [(a, midnight, day), (midnight, b, end_day)]
        else:
            parts = [(a, b, day)]
        for p_start, p_end, local_day in parts:
            if p_end > p_start and local_day not in calendar.holidays:
                pieces.append((p_start, p_end))
    return tuple(pieces)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("business-hours maths needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def _merged(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _clip(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    for a, b in intervals:
        a, b = max(a, start), min(b, end)
        if b > a:
            yield a, b


def business_time_between(calendar: Calendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Business time elapsed from `a` to `b` (zero when `b` is not after `a`)."""
    if _utc(b) <= _utc(a):
        return ZERO
    total = ZERO
    for start, end in calendar.intervals(a, b):
        total += end - start
    return total


def add_business_time(calendar: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The earliest moment at which `duration` of business time has elapsed since `start` (UTC)."""
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    cursor = _utc(start)
    if duration == ZERO:
        return cursor
    remaining = duration
    searched = 0
    while searched < MAX_SEARCH_DAYS:
        window_end = cursor + dt.timedelta(days=_CHUNK_DAYS)
        for a, b in calendar.intervals(cursor, window_end):
            span = b - a
            if span >= remaining:
                return a + remaining
            remaining -= span
        cursor = window_end
        searched += _CHUNK_DAYS
    raise NoBusinessTimeError("the calendar has no working time within five years")


def next_open(calendar: Calendar, moment: dt.datetime) -> dt.datetime:
    """`moment` if the calendar is open then, else the start of the next business interval."""
    cursor = _utc(moment)
    for _ in range(0, MAX_SEARCH_DAYS, _CHUNK_DAYS):
        window_end = cursor + dt.timedelta(days=_CHUNK_DAYS)
        for a, _b in calendar.intervals(cursor, window_end):
            return a
        cursor = window_end
    raise NoBusinessTimeError("the calendar has no working time within five years")


ALWAYS_OPEN = Calendar("UTC", tuple(Shift(d, dt.time(0), dt.time(0)) for d in range(7)))
