"""The relationship with one customer at a glance: lifetime figures, channels, satisfaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q

from helpline.customers.models import Customer
from helpline.surveys import selectors as survey_selectors
from helpline.surveys.models import CSAT_SATISFIED_MIN, CsatSurvey, NpsSurvey
from helpline.tickets.models import ACTIVE_STATUSES, Message, MessageKind, Ticket


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
    )
