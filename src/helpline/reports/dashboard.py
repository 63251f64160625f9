"""Everything the dashboard shows for one filter, with the previous period for comparison.

A fixed number of queries whatever the data size (each KPI is an aggregate; see kpis/breakdowns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from helpline.reports import breakdowns, kpis
from helpline.reports.filters import ReportFilter
from helpline.reports.sql import report_queries


@dataclass
class Headline:
    key: str
    value: float | None
    previous: float | None
    unit: str  # "%", "s", "" (count), "nps"
    better: str  # "up" or "down": which direction is good
    detail: str = ""
    p90: float | None = None  # durations only

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)

    @property
    def improved(self) -> bool | None:
        if not self.change:
            return None
        return (self.change > 0) == (self.better == "up")


BUSINESS_TWIN = {
    "frt": kpis.first_response_business_time,
    "response": kpis.response_business_time,
    "resolution": kpis.resolution_business_time,
}


def headlines(f: ReportFilter, known: dict[str, kpis.Durations] | None = None) -> list[Headline]:
    """Headline KPIs with the previous period; `known` passes durations already computed for `f`."""
    known = known or {}
    prev = f.previous()
    rows: list[Headline] = []
    for key, fn, better in (
        ("csat", kpis.csat, "up"),
        ("fcr", kpis.first_contact_resolution, "up"),
        ("reopen", kpis.reopen_rate, "down"),
        ("repeat", kpis.repeat_contact_rate, "down"),
        ("sla", kpis.sla_compliance, "up"),
    ):
        now_rate, prev_rate = fn(f), fn(prev)
        rows.append(
            Headline(key, now_rate.percent, prev_rate.percent, "%", better, f"{now_rate.part} / {now_rate.whole}")
        )
    now_nps, prev_nps = kpis.nps(f), kpis.nps(prev)
    rows.append(Headline("nps", now_nps.score, prev_nps.score, "nps", "up", str(now_nps.answers)))
    for key, duration in (
        ("frt", kpis.first_response_time),
        ("response", kpis.response_time),
        ("resolution", kpis.resolution_time),
    ):
        now_d, prev_d = known.get(key) or duration(f), duration(prev)
        rows.append(Headline(key, now_d.median, prev_d.median, "s", "down", p90=now_d.p90))
        business = BUSINESS_TWIN.get(key)
        now_b = business(f) if business else None
        if business and now_b is not None:  # shown beside the calendar figure when calendars exist
            prev_b = business(prev)
            previous = prev_b.median if prev_b is not None else None
            rows.append(Headline(f"{key}_business", now_b.median, previous, "s", "down", p90=now_b.p90))
    rows.append(Headline("created", kpis.created_count(f), kpis.created_count(prev), "", "none"))
    rows.append(Headline("solved", kpis.solved_count(f), kpis.solved_count(prev), "", "up"))
    ret = kpis.retention(f)
    rows.append(
        Headline("retention", ret.retention.percent, None, "%", "up", f"{ret.retained} / {ret.previous_customers}")
    )
    loyal = kpis.loyal_customers(f)
    rows.append(Headline("loyal", loyal.percent, None, "%", "up", f"{loyal.part} / {loyal.whole}"))
    return rows


@dataclass
class Dashboard:
    filter: ReportFilter
    headlines: list[Headline]
    frt: kpis.Durations
    resolution: kpis.Durations
    backlog: kpis.Backlog
    retention: kpis.Retention
    trend: breakdowns.Trend
    heatmap: list[list[int]]
    by_channel: list[tuple[Any, int]]
    by_language: list[tuple[Any, int]]
    by_team: list[tuple[Any, int]]
    by_type: list[tuple[Any, int]]
    csat_distribution: list[int]
    csat_by_channel: list[tuple[Any, int, float | None]]
    csat_by_team: list[tuple[Any, int, float | None]]
    csat_by_language: list[tuple[Any, int, float | None]]
    leaderboard: list[breakdowns.LeaderRow]

    @property
    def is_empty(self) -> bool:
        return not any(self.trend.created) and not any(self.trend.solved) and not any(self.trend.csat_answers)


def build(f: ReportFilter, now: dt.datetime | None = None) -> Dashboard:
    with report_queries():
        return _build(f, now)


def _build(f: ReportFilter, now: dt.datetime | None) -> Dashboard:
    frt, resolution = kpis.first_response_time(f), kpis.resolution_time(f)
    return Dashboard(
        filter=f,
        headlines=headlines(f, {"frt": frt, "resolution": resolution}),
        frt=frt,
        resolution=resolution,
        backlog=kpis.backlog(f, now or timezone.now()),
        retention=kpis.retention(f),
        trend=breakdowns.daily_trend(f),
        heatmap=breakdowns.heatmap(f),
        by_channel=breakdowns.volume_by(f, "channel"),
        by_language=breakdowns.volume_by(f, "language"),
        by_team=breakdowns.volume_by(f, "team"),
        by_type=breakdowns.volume_by(f, "type"),
        csat_distribution=breakdowns.csat_distribution(f),
        csat_by_channel=breakdowns.csat_by(f, "channel"),
        csat_by_team=breakdowns.csat_by(f, "team"),
        csat_by_language=breakdowns.csat_by(f, "language"),
        leaderboard=breakdowns.leaderboard(f),
    )
