"""Reads of survey answers for the ticket page, the customer page and the kudos wall."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from helpline.customers.models import Customer
from helpline.surveys.models import CSAT_SATISFIED_MIN, CsatSurvey, NpsCampaign, NpsSurvey
from helpline.tickets.models import Ticket


def csat_for_ticket(ticket: Ticket) -> CsatSurvey | None:
    return CsatSurvey.objects.filter(ticket_id=ticket.pk).first()


def csat_history(customer: Customer, limit: int = 10) -> list[CsatSurvey]:
    return list(
        CsatSurvey.objects.filter(customer=customer, rating__isnull=False)
        .select_related("ticket", "agent")
        .order_by("-answered_at", "-id")[:limit]
    )


def latest_nps(customer: Customer) -> NpsSurvey | None:
    return NpsSurvey.objects.filter(customer=customer, score__isnull=False).order_by("-answered_at", "-id").first()


def kudos(
    *, start: dt.datetime, end: dt.datetime, agent_id: int | None = None, team_id: int | None = None
) -> QuerySet[CsatSurvey]:
    """Positive answers with a comment in the period, newest first (shared ones first)."""
    qs = CsatSurvey.objects.filter(rating__gte=CSAT_SATISFIED_MIN, answered_at__gte=start, answered_at__lt=end).exclude(
        comment=""
    )
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.select_related("ticket", "agent", "customer").order_by("kudos_shared_at", "-answered_at")


def campaigns_with_results() -> QuerySet[NpsCampaign]:
    """Campaigns, newest first, each with sent / answered / promoter / detractor counts."""
    from django.db.models import Count, Q

    from helpline.surveys.models import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

    return NpsCampaign.objects.annotate(
        sent=Count("surveys"),
        answered=Count("surveys", filter=Q(surveys__score__isnull=False)),
        promoters=Count("surveys", filter=Q(surveys__score__gte=NPS_PROMOTER_MIN)),
        detractors=Count("surveys", filter=Q(surveys__score__lte=NPS_DETRACTOR_MAX)),
    ).order_by("-scheduled_for", "-id")
