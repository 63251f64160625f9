"""Durations in business time, computed in SQL.

Each business calendar's working intervals are kept in `BusinessInterval` with a running total
(`cum_seconds`), so the business time up to a moment t is one indexed lookup:
    B(t) = cum of the last interval starting at or before t + min(t − its start, its length)
and the business time between a and b is B(b) − B(a). A ticket uses its team's calendar, else
the default calendar; tickets with neither are left out of business-time figures.

The intervals are derived data: built on demand for the span a report needs, rebuilt when the
calendar's hours change (`fingerprint`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import Exact

from helpline.reports.models import BusinessInterval, BusinessIntervalSpan
from helpline.reports.sql import Seconds
from helpline.workflow.models import BusinessCalendar

MARGIN = dt.timedelta(days=7)


def fingerprint(record: BusinessCalendar) -> str:
    data = json.dumps([record.time_zone, record.shifts, sorted(record.holidays)], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def _rebuild(record: BusinessCalendar, start: dt.datetime, end: dt.datetime, print_: str) -> None:
    rows: list[BusinessInterval] = []
    total = 0.0
    for a, b in record.to_calendar().intervals(start, end):
        length = (b - a).total_seconds()
        rows.append(BusinessInterval(calendar=record, start=a, end=b, length_seconds=length, cum_seconds=total))
        total += length
    with transaction.atomic():
        BusinessInterval.objects.filter(calendar=record).delete()
        BusinessInterval.objects.bulk_create(rows, batch_size=1000)
        BusinessIntervalSpan.objects.update_or_create(
            calendar=record, defaults={"start": start, "end": end, "fingerprint": print_}
        )
        if connection.vendor == "postgresql":  # fresh statistics, so lookups use the (calendar, start) index
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {BusinessInterval._meta.db_table}")


def ensure_intervals(start: dt.datetime, end: dt.datetime) -> bool:
    """Make every calendar's intervals cover [start, end); False when there is no calendar at all."""
    records = list(BusinessCalendar.objects.all())
    spans = {s.calendar_id: s for s in BusinessIntervalSpan.objects.all()}
    for record in records:
        if not record.shifts:
            continue
        print_ = fingerprint(record)
        span = spans.get(record.pk)
        if span is not None and span.fingerprint == print_ and span.start <= start and span.end >= end:
            continue
        lo, hi = start - MARGIN, end + MARGIN
        if span is not None and span.fingerprint == print_:
            lo, hi = min(lo, span.start), max(hi, span.end)
        _rebuild(record, lo, hi, print_)
    return bool(records)


def _calendar_of_ticket(team_field: Any) -> tuple[Any, list[int] | None]:
    """(expression of the row's calendar id, teams allowed or None for all). The team → calendar
    map is small, so it becomes a CASE on the team column rather than a join."""
    by_team = dict(BusinessCalendar.objects.filter(team__isnull=False).values_list("team_id", "id"))
    default = BusinessCalendar.objects.filter(is_default=True).values_list("id", flat=True).first()
    team = ExpressionWrapper(OuterRef(team_field), output_field=IntegerField())
    whens = [When(Exact(team, Value(team_id)), then=Value(cal)) for team_id, cal in by_team.items()]
    fallback = Value(default) if default is not None else Value(None, output_field=IntegerField())
    expression = Case(*whens, default=fallback, output_field=IntegerField()) if whens else fallback
    return expression, (None if default is not None else list(by_team))


def _position(field: str, calendar: Any) -> Subquery:
    """B(field): business seconds before the moment in `field`, on the row's calendar."""
    last = (
        BusinessInterval.objects.filter(calendar_id=calendar, start__lte=OuterRef(field))
        .order_by("-start")
        .annotate(_pos=F("cum_seconds") + Least(Seconds(OuterRef(field), F("start")), F("length_seconds")))
        .values("_pos")[:1]
    )
    return Subquery(last, output_field=FloatField())


def business_seconds(
    qs: QuerySet[Any],
    end: str,
    start: str,
    *,
    ticket_prefix: str = "",
    span: tuple[dt.datetime, dt.datetime] | None = None,
) -> tuple[QuerySet[Any], Any]:
    """(`qs` narrowed to rows with a calendar, expression of business seconds from `start` to `end`).
    Builds the intervals the rows need first: within `span` when the caller knows one that holds
    every row's moments, else found with one MIN/MAX query."""
    bounds = {"lo": span[0], "hi": span[1]} if span else qs.aggregate(lo=Min(start), hi=Max(end))
    if bounds["lo"] is None or bounds["hi"] is None or not ensure_intervals(bounds["lo"], bounds["hi"]):
        return qs.none(), Value(None, output_field=FloatField())
    calendar, teams = _calendar_of_ticket(f"{ticket_prefix}team_id")
    if teams is not None:
        qs = qs.filter(**{f"{ticket_prefix}team_id__in": teams})
    zero = Value(0.0, output_field=FloatField())
    return qs, Coalesce(_position(end, calendar), zero) - Coalesce(_position(start, calendar), zero)
