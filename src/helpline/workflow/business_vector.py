"""Business-time deadlines for many clocks at once (numpy over microsecond offsets).

For one calendar the working intervals of the whole window are laid out once as sorted arrays of
start, end and the business time worked before each interval. A clock's deadline is then two binary
searches: the business time already worked at its start, and the interval in which start + span of
business time is reached. The answers are those of `core.business_hours.add_business_time` to the
microsecond (property-tested against it).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from helpline.core.business_hours import MAX_SEARCH_DAYS, Calendar, NoBusinessTimeError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = 1_000_000
WINDOW_STEP_DAYS = 60
Micros = npt.NDArray[np.int64]


def to_micros(moment: dt.datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(value))


def _intervals(calendar: Calendar, lo: dt.datetime, hi: dt.datetime) -> tuple[Micros, Micros]:
    pairs = list(calendar.intervals(lo, hi))
    starts = np.fromiter((to_micros(a) for a, _b in pairs), dtype=np.int64, count=len(pairs))
    ends = np.fromiter((to_micros(b) for _a, b in pairs), dtype=np.int64, count=len(pairs))
    return starts, ends


def deadlines(calendar: Calendar, starts: Micros, spans: Micros) -> Micros:
    """For each clock, the moment (µs since the epoch, UTC) at which `spans` (µs) of business time
    have passed since `starts`; a span of zero or less gives the start itself."""
    starts = np.asarray(starts, dtype=np.int64)
    spans = np.asarray(spans, dtype=np.int64)
    if starts.size == 0:
        return starts.copy()
    lo = from_micros(int(starts.min()))
    latest = from_micros(int(starts.max()))
    need = int(max(spans.max(), 0))
    hi = latest + dt.timedelta(days=WINDOW_STEP_DAYS)
    while True:
        a, b = _intervals(calendar, lo, hi)
        worked = b - a
        cum_before = np.concatenate(([0], np.cumsum(worked)[:-1])) if worked.size else worked
        cum_end = cum_before + worked
        # Business time available after the latest start must cover the longest span.
        first_after = np.searchsorted(b, to_micros(latest), side="right")
        if first_after >= b.size:
            available = 0
        else:
            available = int(cum_end[-1] - _worked_at(a, b, cum_before, np.array([to_micros(latest)]))[0])
        if available >= need or (hi - latest).days >= MAX_SEARCH_DAYS:
            break
        hi += dt.timedelta(days=WINDOW_STEP_DAYS)
    if available < need:
        raise NoBusinessTimeError("the calendar has no working time within five years")
    if a.size == 0:
        return starts.copy()  # every span is zero: nothing to add
    target = _worked_at(a, b, cum_before, starts) + spans
    j = np.searchsorted(cum_end, target, side="left")
    j = np.minimum(j, a.size - 1)
    result = a[j] + (target - cum_before[j])
    return np.where(spans <= 0, starts, result)


def _worked_at(a: Micros, b: Micros, cum_before: Micros, moments: Micros) -> Micros:
    """Business time in the window before each moment."""
    i = np.searchsorted(b, moments, side="right")  # the first interval ending after the moment
    inside = np.minimum(i, a.size - 1)
    partial = np.clip(moments - a[inside], 0, None)
    total = cum_before[inside] + partial
    # Past the last interval: everything in the window has been worked.
    return np.where(i >= a.size, cum_before[-1] + (b[-1] - a[-1]), total)
