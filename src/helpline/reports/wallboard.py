"""Figures for the live wall board: what is happening right now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from helpline.reports import kpis
from helpline.reports.filters import ReportFilter
from helpline.tickets.models import Status, TicketEvent
from helpline.workflow.models import AgentRouting, Availability

ACTIVE_WINDOW = dt.timedelta(minutes=15)


def now_figures(f: ReportFilter) -> dict[str, Any]:
    """Open, waiting on the customer, unassigned, opened today, agents online (chat availability),
    agents active in the last 15 minutes (anyone who changed a ticket), tickets with an SLA target
    breached now. The page refetches these whenever the desk WebSocket says something changed."""
    now = timezone.now()
    today = now.astimezone(f.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    agg = kpis.tickets(f).aggregate(
        open=Count("id", filter=Q(status__in=(Status.NEW, Status.OPEN))),
        waiting=Count("id", filter=Q(status__in=(Status.PENDING, Status.ON_HOLD))),
        unassigned=Count("id", filter=Q(status__in=(Status.NEW, Status.OPEN), assignee__isnull=True)),
        today=Count("id", filter=Q(created_at__gte=today)),
    )
    active = (
        TicketEvent.objects.filter(created_at__gte=now - ACTIVE_WINDOW, actor_agent__isnull=False)
        .values("actor_agent")
        .distinct()
        .count()
    )
    online = AgentRouting.objects.filter(status=Availability.ONLINE, agent__is_active=True)
    if f.team_id:
        online = online.filter(agent__teams__id=f.team_id)
    return {
        **agg,
        "agents_online": online.count(),
        "agents_active": active,
        "sla_breached": kpis.sla_breaching_now(f),
    }
