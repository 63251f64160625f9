"""The relationship with one customer at a glance: lifetime figures, channels, satisfaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q

from helpline.customers.models import Customer
from helpline.reports.models import CustomerSegment
from helpline.reports.segments import segments_of
from helpline.surveys import selectors as survey_selectors
from helpline.surveys.models import CSAT_SATISFIED_MIN, CsatSurvey, NpsSurvey
from helpline.tickets.models import ACTIVE_STATUSES, Message, MessageKind, Ticket

TIMELINE_LIMIT = 60


@dataclass(frozen=True)
class TimelineEntry:
    """One interaction: a message on any channel (customer's or ours), or a survey answer."""

    at: Any
    kind: str  # "inbound", "reply", "csat", "nps"
    channel: str
    ticket_number: int | None
    text: str
    rating: int | None = None


def timeline(customer: Customer, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The newest `limit` interactions on every channel with survey answers, newest first (3 queries)."""
    messages = (
        Message.objects.filter(ticket__requester=customer)
        .exclude(kind=MessageKind.NOTE)
        .order_by("-created_at", "-id")
        .values_list("created_at", "kind", "channel", "ticket__number", "body_text")[:limit]
    )
    entries = [
        TimelineEntry(at, kind, channel, number, (body or "")[:200]) for at, kind, channel, number, body in messages
    ]
    answers = (
        CsatSurvey.objects.filter(customer=customer, rating__isnull=False)
        .order_by("-answered_at")
        .values_list("answered_at", "channel", "ticket__number", "comment", "rating")[:limit]
    )
    entries += [TimelineEntry(at, "csat", ch, n, comment[:200], rating) for at, ch, n, comment, rating in answers]
    nps = (
        NpsSurvey.objects.filter(customer=customer, score__isnull=False)
        .order_by("-answered_at")
        .values_list("answered_at", "comment", "score")[:limit]
    )
    entries += [TimelineEntry(at, "nps", "email", None, comment[:200], score) for at, comment, score in nps]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@dataclass
class Customer360:
    lifetime_tickets: int
    open_tickets: int
    first_contact: Any
    last_contact: Any
    channels: list[tuple[str, int]]
    csat_answers: int
    csat_average: float | None
    csat_satisfied: int
    csat_history: list[CsatSurvey]
    nps: NpsSurvey | None
    timeline: list[TimelineEntry]
    segments: list[CustomerSegment]

    @property
    def csat_percent(self) -> float | None:
        return round(100.0 * self.csat_satisfied / self.csat_answers, 1) if self.csat_answers else None


def customer_360(customer: Customer) -> Customer360:
    tickets = Ticket.objects.filter(requester=customer, merged_into__isnull=True)
    totals = tickets.aggregate(
        n=Count("id"), active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)), first=Min("created_at")
    )
    last = Message.objects.filter(ticket__requester=customer, kind=MessageKind.INBOUND).aggregate(at=Max("created_at"))
    channels = list(
        Message.objects.filter(ticket__requester=customer, kind=MessageKind.INBOUND)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    csat = CsatSurvey.objects.filter(customer=customer, rating__isnull=False).aggregate(
        n=Count("id"), avg=Avg("rating"), good=Count("id", filter=Q(rating__gte=CSAT_SATISFIED_MIN))
    )
    return Customer360(
        lifetime_tickets=totals["n"],
        open_tickets=totals["active"],
        first_contact=totals["first"],
        last_contact=last["at"],
        channels=channels,
        csat_answers=csat["n"],
        csat_average=round(csat["avg"], 1) if csat["avg"] is not None else None,
        csat_satisfied=csat["good"],
        csat_history=survey_selectors.csat_history(customer),
        nps=survey_selectors.latest_nps(customer),
        timeline=timeline(customer),
        segments=segments_of(customer),
    )
