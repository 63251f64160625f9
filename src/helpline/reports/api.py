"""The dashboard's figures through the REST API: GET /api/reports/summary.

Same filters and the same rules as the page: supervisors and admins get team-wide figures and may
filter by agent; an agent always gets their own."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from helpline.core.api_auth import agent_of
from helpline.core.api_errors import COMMON_ERRORS
from helpline.core.errors import InvalidInputError
from helpline.reports import dashboard
from helpline.reports.definitions import DEFINITIONS
from helpline.reports.forms import ReportFilterForm

router = Router(tags=["reports"])


class SummaryQuery(Schema):
    start: dt.date | None = Field(None, description="First day (in your time zone); default 30 days before `end`.")
    end: dt.date | None = Field(None, description="Last day, included; default today.")
    team: int | None = Field(None, ge=1, le=2**31 - 1)
    agent: int | None = Field(None, ge=1, le=2**31 - 1, description="Supervisors and admins only.")
    channel: str = Field("", max_length=20)
    language: str = Field("", max_length=10)
    tag: str = Field("", max_length=60)


class KpiOut(Schema):
    key: str
    label: str
    definition: str
    value: float | None
    previous: float | None = Field(..., description="Same figure for the previous period of the same length.")
    unit: Literal["%", "s", "", "nps"]
    p90: float | None = Field(None, description="90th percentile, for durations (seconds).")


class LeaderOut(Schema):
    agent_id: int
    agent: str
    solved: int
    csat_answers: int
    csat_percent: float | None
    first_response_avg_seconds: float | None


class CountOut(Schema):
    value: str = Field(..., description="The channel, language, type code or team name ('' when unset).")
    count: int


class RetentionOut(Schema):
    previous_customers: int = Field(..., description="Customers who opened a ticket in the previous period.")
    retained: int = Field(..., description="Of those, customers who opened one in this period too.")
    churned: int
    current_customers: int
    retention_percent: float | None
    churn_percent: float | None


class CsatByOut(Schema):
    value: str = Field(..., description="The channel, team name or language ('' when unset).")
    answers: int
    percent_satisfied: float | None = Field(..., description="Share of these answers rated 4 or 5.")


class SummaryOut(Schema):
    start: dt.datetime
    end: dt.datetime
    kpis: list[KpiOut]
    backlog: dict[str, int]
    retention: RetentionOut
    volumes: dict[str, list[CountOut]] = Field(
        ..., description="Tickets opened in the period by channel, language, type and team, biggest first."
    )
    by_hour: list[int] = Field(..., description="Tickets opened per hour of the day (0–23, your time zone).")
    heatmap: list[list[int]] = Field(..., description="Tickets opened per ISO weekday (Monday first) and hour.")
    csat_distribution: list[int] = Field(..., description="Answers in the period that gave 1, 2, 3, 4 and 5.")
    csat_by: dict[str, list[CsatByOut]] = Field(
        ..., description="CSAT answers in the period by channel, team and language, most answers first."
    )
    leaderboard: list[LeaderOut]


@router.get("/reports/summary", response={200: SummaryOut, **COMMON_ERRORS}, summary="KPI summary")
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> SummaryOut:
    agent = agent_of(request)
    data = {k: v for k, v in query.dict().items() if v not in (None, "")}
    form = ReportFilterForm({k: str(v) for k, v in data.items()}, agent=agent)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        raise InvalidInputError(_("The report filters are not valid."), code="invalid_filters", details=errors)
    board = dashboard.build(form.report_filter())
    return SummaryOut(
        start=board.filter.start,
        end=board.filter.end,
        kpis=[
            KpiOut(
                key=h.key,
                label=str(DEFINITIONS[h.key][0]),
                definition=str(DEFINITIONS[h.key][1]),
                value=h.value,
                previous=h.previous,
                unit=h.unit,  # type: ignore[arg-type]
                p90=h.p90,
            )
            for h in board.headlines
        ],
        backlog={k: v for k, v in vars(board.backlog).items()},
        retention=RetentionOut(
            previous_customers=board.retention.previous_customers,
            retained=board.retention.retained,
            churned=board.retention.previous_customers - board.retention.retained,
            current_customers=board.retention.current_customers,
            retention_percent=board.retention.retention.percent,
            churn_percent=board.retention.churn.percent,
        ),
        volumes={
            dimension: [CountOut(value=str(value or ""), count=n) for value, n in pairs]
            for dimension, pairs in (
                ("channel", board.by_channel),
                ("language", board.by_language),
                ("type", board.by_type),
                ("team", board.by_team),
            )
        },
        by_hour=[sum(row[hour] for row in board.heatmap) for hour in range(24)],
        heatmap=board.heatmap,
        csat_distribution=board.csat_distribution,
        csat_by={
            dimension: [CsatByOut(value=str(value or ""), answers=n, percent_satisfied=pct) for value, n, pct in rows]
            for dimension, rows in (
                ("channel", board.csat_by_channel),
                ("team", board.csat_by_team),
                ("language", board.csat_by_language),
            )
        },
        leaderboard=[
            LeaderOut(
                agent_id=r.agent.pk,
                agent=str(r.agent),
                solved=r.solved,
                csat_answers=r.csat_answers,
                csat_percent=r.csat_percent,
                first_response_avg_seconds=r.first_response_avg,
            )
            for r in board.leaderboard
        ],
    )
