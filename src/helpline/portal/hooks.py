"""Ticket-event subscribers of the portal: email the requester when an agent replies."""

from __future__ import annotations

from django.db import transaction

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.portal.tasks import deliver_reply
from helpline.tickets.models import EventKind, MessageKind, TicketEvent


@hooks.register(TICKET_EVENT_HOOK)
def notify_requester_of_reply(event: TicketEvent) -> None:
    if event.kind != EventKind.MESSAGE_ADDED or event.data.get("kind") != MessageKind.REPLY or not event.message_id:
        return
    message_id = event.message_id
    transaction.on_commit(lambda: deliver_reply.enqueue(message_id))
