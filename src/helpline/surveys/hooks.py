"""Ticket-event subscriber of surveys: when a ticket becomes solved, send its CSAT survey."""

from __future__ import annotations

from django.db import transaction

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.surveys.tasks import send_csat_survey
from helpline.tickets.models import EventKind, Status, TicketEvent


@hooks.register(TICKET_EVENT_HOOK)
def survey_solved_ticket(event: TicketEvent) -> None:
    if event.kind != EventKind.STATUS_CHANGED or event.after != Status.SOLVED:
        return
    ticket_id = event.ticket_id
    transaction.on_commit(lambda: send_csat_survey.enqueue(ticket_id))
