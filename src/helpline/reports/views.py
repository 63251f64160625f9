"""Report pages under /reports/: the dashboard, exports, kudos and the wall board.

Supervisors and admins see team-wide figures and may filter by agent; agents see their own."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpline.core.errors import HelplineError
from helpline.reports import breakdowns, exports, kpis, wallboard, weekly
from helpline.reports import dashboard as dashboard_data
from helpline.reports.definitions import DEFINITIONS
from helpline.reports.forms import ReportFilterForm
from helpline.reports.sql import report_queries
from helpline.surveys import actions as survey_actions
from helpline.surveys import selectors as survey_selectors
from helpline.surveys.models import CsatSurvey
from helpline.tickets.models import TicketType
from helpline.web.views.common import AgentRequest, agent_required

TYPE_LABELS = dict(TicketType.choices)


def _form(request: AgentRequest) -> ReportFilterForm:
    data = request.GET if any(k in request.GET for k in ReportFilterForm.base_fields) else None
    return ReportFilterForm(data, agent=request.user)


def _chart_data(board: dashboard_data.Dashboard) -> dict[str, Any]:
    return {
        "days": [d.isoformat() for d in board.trend.days],
        "created": board.trend.created,
        "solved": board.trend.solved,
        "csat": board.trend.csat_percent,
        "channels": [[str(code or "—"), n] for code, n in board.by_channel],
        "languages": [[str(code or "—"), n] for code, n in board.by_language],
        "teams": [[str(name or _("No team")), n] for name, n in board.by_team],
        "types": [[str(TYPE_LABELS.get(code, code) if code else _("No type")), n] for code, n in board.by_type],
        "hours": [sum(row[hour] for row in board.heatmap) for hour in range(24)],
        "csatDistribution": board.csat_distribution,
        "labels": {
            "created": _("Opened"),
            "solved": _("Solved"),
            "csat": _("CSAT %"),
            "tickets": _("Tickets"),
            "answers": _("Answers"),
            "empty": _("No data for these filters"),
        },
    }


@require_GET
@agent_required
def dashboard(request: AgentRequest) -> HttpResponse:
    form = _form(request)
    f = form.report_filter()
    board = dashboard_data.build(f)
    team_wide = request.user.is_supervisor_or_admin
    show_leaderboard = team_wide or weekly.report_settings().leaderboard_for_agents
    if show_leaderboard and not team_wide and f.agent_id:
        with report_queries():  # agents allowed to see it see the whole team's, not just their row
            board.leaderboard = breakdowns.leaderboard(replace(f, agent_id=None))
    context = {
        "form": form,
        "show_leaderboard": show_leaderboard,
        "filter": f,
        "board": board,
        "headlines": [(h, *DEFINITIONS[h.key]) for h in board.headlines],
        "definitions": DEFINITIONS,
        "all_definitions": [(key, label, text) for key, (label, text) in DEFINITIONS.items()],
        "chart_data": _chart_data(board),
        "csat_breakdowns": [
            (_("By channel"), board.csat_by_channel),
            (_("By team"), board.csat_by_team),
            (_("By language"), board.csat_by_language),
        ],
        "kudos": list(survey_selectors.kudos(start=f.start, end=f.end, team_id=f.team_id)[:12]),
        "team_wide": team_wide,
        "last_day": (f.end - dt.timedelta(days=1)).date(),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(chunks: Any, fmt: str, name: str) -> StreamingHttpResponse:
    content_type = XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
@agent_required
def export_tickets(request: AgentRequest, fmt: str) -> StreamingHttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    f = _form(request).report_filter()
    name = f"tickets-{f.start.date()}-{f.end.date()}"
    if fmt == "xlsx":
        rows = itertools.chain([exports.TICKET_COLUMNS], exports.ticket_rows(f))
        return _download(exports.stream_xlsx([(_("Tickets"), rows)]), fmt, name)
    return _download(exports.stream_csv(exports.TICKET_COLUMNS, exports.ticket_rows(f)), fmt, name)


def _summary_rows(board: dashboard_data.Dashboard) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("KPI"), _("Value"), _("Previous period"), _("Unit"), _("Detail")]]
    for h in board.headlines:
        rows.append([str(DEFINITIONS[h.key][0]), h.value, h.previous, h.unit, h.detail])
    return rows


def _leader_rows(board: dashboard_data.Dashboard) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("Agent"), _("Solved"), _("CSAT answers"), _("CSAT %"), _("First response (s)")]]
    for r in board.leaderboard:
        avg = round(r.first_response_avg) if r.first_response_avg is not None else None
        rows.append([str(r.agent), r.solved, r.csat_answers, r.csat_percent, avg])
    return rows


@require_GET
@agent_required
def export_summary(request: AgentRequest, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    f = _form(request).report_filter()
    board = dashboard_data.build(f)
    name = f"report-{f.start.date()}-{f.end.date()}"
    summary = _summary_rows(board)
    if fmt == "xlsx":
        return _download(exports.stream_xlsx([(_("KPIs"), summary), (_("Agents"), _leader_rows(board))]), fmt, name)
    return _download(exports.stream_csv(summary[0], summary[1:]), fmt, name)


@require_POST
@agent_required
def share_kudos(request: AgentRequest, public_id: str) -> HttpResponse:
    survey = get_object_or_404(CsatSurvey, public_id=public_id)
    try:
        survey_actions.share_kudos(actor=request.actor, survey=survey)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Shared with the team."))
    return redirect(request.POST.get("next") or "reports:dashboard")


@require_GET
@agent_required
def wall(request: AgentRequest) -> HttpResponse:
    f = _form(request).report_filter()
    return render(request, "reports/wall.html", {"now": wallboard.now_figures(f), "query": request.GET.urlencode()})


@require_GET
@agent_required
def wall_figures(request: AgentRequest) -> JsonResponse:
    f = _form(request).report_filter()
    return JsonResponse({**wallboard.now_figures(f), "at": timezone.now().isoformat()})


__all__ = ["dashboard", "export_summary", "export_tickets", "kpis", "share_kudos", "wall", "wall_figures"]
