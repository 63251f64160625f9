from __future__ import annotations

from django import template

from helpline.surveys import selectors
from helpline.surveys.models import CsatSurvey
from helpline.tickets.models import Ticket

register = template.Library()


@register.simple_tag
def ticket_csat(ticket: Ticket) -> CsatSurvey | None:
    return selectors.csat_for_ticket(ticket)


@register.filter
def stars(rating: int | None) -> str:
    if rating is None:
        return ""
    return "★" * rating + "☆" * (5 - rating)
