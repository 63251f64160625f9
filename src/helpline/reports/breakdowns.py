"""Grouped figures for charts and tables: volumes by dimension, daily trends, the day-by-hour heat
map, CSAT breakdowns and the agent leaderboard. Each is one GROUP BY query (the leaderboard three)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from helpline.accounts.models import User
from helpline.reports.filters import ReportFilter
from helpline.reports.kpis import tickets
from helpline.reports.sql import seconds_between
from helpline.surveys.models import CSAT_SATISFIED_MIN, CsatSurvey

DIMENSIONS = {
    "channel": "channel",
    "language": "language",
    "type": "ticket_type",
    "team": "team__name",
    "agent": "assignee_id",
    "priority": "priority",
}


def volume_by(f: ReportFilter, dimension: str) -> list[tuple[Any, int]]:
    """Tickets opened in the period per value of `dimension`, biggest first."""
    column = DIMENSIONS[dimension]
    rows = (
        tickets(f)
        .filter(f.in_range("created_at"))
        .order_by()
        .values(column)
        .annotate(n=Count("id"))
        .order_by("-n", column)
    )
    return [(row[column], row["n"]) for row in rows]


def _days(f: ReportFilter) -> list[dt.date]:
    first = f.start.astimezone(f.tz).date()
    last = (f.end - dt.timedelta(microseconds=1)).astimezone(f.tz).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass
class Trend:
    days: list[dt.date]
    created: list[int]
    solved: list[int]
    csat_answers: list[int] = field(default_factory=list)
    csat_percent: list[float | None] = field(default_factory=list)


def daily_trend(f: ReportFilter) -> Trend:
    """Per local day in the range: tickets opened, tickets solved, CSAT answers and % satisfied."""
    days = _days(f)

    def per_day(qs: Any, column: str, **aggregates: Any) -> dict[dt.date, dict[str, Any]]:
        rows = qs.annotate(day=TruncDate(column, tzinfo=f.tz)).order_by().values("day").annotate(**aggregates)
        return {row["day"]: row for row in rows}

    created = per_day(tickets(f).filter(f.in_range("created_at")), "created_at", n=Count("id"))
    solved = per_day(tickets(f).filter(f.in_range("solved_at")), "solved_at", n=Count("id"))
    answers = per_day(
        CsatSurvey.objects.filter(
            f.in_range("answered_at"), f.ticket_q("ticket__", agent_field="agent_id"), rating__isnull=False
        ),
        "answered_at",
        n=Count("id"),
        good=Count("id", filter=Q(rating__gte=CSAT_SATISFIED_MIN)),
    )
    trend = Trend(days=days, created=[], solved=[])
    for day in days:
        trend.created.append(created.get(day, {}).get("n", 0))
        trend.solved.append(solved.get(day, {}).get("n", 0))
        row = answers.get(day)
        trend.csat_answers.append(row["n"] if row else 0)
        trend.csat_percent.append(round(100.0 * row["good"] / row["n"], 1) if row and row["n"] else None)
    return trend


def heatmap(f: ReportFilter) -> list[list[int]]:
    """Tickets opened per (ISO weekday 1–7, local hour 0–23): 7 rows of 24 counts, Monday first."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        tickets(f)
        .filter(f.in_range("created_at"))
        .annotate(wd=ExtractIsoWeekDay("created_at", tzinfo=f.tz), hour=ExtractHour("created_at", tzinfo=f.tz))
        .order_by()
        .values("wd", "hour")
        .annotate(n=Count("id"))
    )
    for row in rows:
        grid[row["wd"] - 1][row["hour"]] = row["n"]
    return grid


def csat_distribution(f: ReportFilter) -> list[int]:
    """How many answers in the period gave 1, 2, 3, 4 and 5."""
    rows = (
        CsatSurvey.objects.filter(
            f.in_range("answered_at"), f.ticket_q("ticket__", agent_field="agent_id"), rating__isnull=False
        )
        .order_by()
        .values("rating")
        .annotate(n=Count("id"))
    )
    counts = {row["rating"]: row["n"] for row in rows}
    return [counts.get(r, 0) for r in range(1, 6)]


def csat_by(f: ReportFilter, dimension: str) -> list[tuple[Any, int, float | None]]:
    """CSAT per channel or team: (value, answers, % satisfied)."""
    column = {"channel": "channel", "team": "team__name", "language": "language"}[dimension]
    rows = (
        CsatSurvey.objects.filter(
            f.in_range("answered_at"), f.ticket_q("ticket__", agent_field="agent_id"), rating__isnull=False
        )
        .order_by()
        .values(column)
        .annotate(n=Count("id"), good=Count("id", filter=Q(rating__gte=CSAT_SATISFIED_MIN)))
        .order_by("-n")
    )
    return [(row[column], row["n"], round(100.0 * row["good"] / row["n"], 1)) for row in rows]


@dataclass
class LeaderRow:
    agent: User
    solved: int = 0
    csat_answers: int = 0
    csat_good: int = 0
    first_response_avg: float | None = None  # seconds

    @property
    def csat_percent(self) -> float | None:
        return round(100.0 * self.csat_good / self.csat_answers, 1) if self.csat_answers else None


def leaderboard(f: ReportFilter) -> list[LeaderRow]:
    """Per agent: tickets solved in the period (by assignee), CSAT answers and % satisfied (by the
    agent the survey was sent for), average first response time of tickets opened in the period."""
    solved = (
        tickets(f)
        .filter(f.in_range("solved_at"), assignee__isnull=False)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    answers = (
        CsatSurvey.objects.filter(
            f.in_range("answered_at"),
            f.ticket_q("ticket__", agent_field="agent_id"),
            rating__isnull=False,
            agent__isnull=False,
        )
        .order_by()
        .values("agent_id")
        .annotate(n=Count("id"), good=Count("id", filter=Q(rating__gte=CSAT_SATISFIED_MIN)))
    )
    frt = (
        tickets(f)
        .filter(f.in_range("created_at"), assignee__isnull=False, first_response_at__isnull=False)
        .order_by()
        .values("assignee_id")
        .annotate(avg=Avg(seconds_between("first_response_at", "created_at")))
    )
    rows: dict[int, dict[str, Any]] = {}
    for row in solved:
        rows.setdefault(row["assignee_id"], {})["solved"] = row["n"]
    for answer in answers:
        rows.setdefault(answer["agent_id"], {}).update(csat_answers=answer["n"], csat_good=answer["good"])
    for response in frt:
        rows.setdefault(response["assignee_id"], {})["first_response_avg"] = response["avg"]
    agents = User.objects.in_bulk(list(rows))
    board = [LeaderRow(agent=agents[pk], **values) for pk, values in rows.items() if pk in agents]
    board.sort(key=lambda r: (-r.solved, -(r.csat_percent or 0), r.agent.username))
    return board
