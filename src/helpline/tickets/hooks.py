"""Subscribers of ticket events that belong to the tickets domain: realtime push."""

from __future__ import annotations

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.core.realtime import DESK_GROUP, portal_group, send_to_groups, ticket_group
from helpline.tickets.models import EventKind, MessageKind, TicketEvent

PUBLIC_KINDS = {EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.MERGED}


@hooks.register(TICKET_EVENT_HOOK)
def push_ticket_event(event: TicketEvent) -> None:
    ticket = event.ticket
    payload = {
        "type": "ticket.changed",
        "ticket": ticket.public_id,
        "number": ticket.number,
        "event": event.kind,
        "event_id": event.pk,
        "actor": event.actor_name,
        "actor_agent": event.actor_agent_id,
        "message": event.message.public_id if event.message_id and event.message else None,
    }
    sends = [(DESK_GROUP, payload), (ticket_group(ticket.public_id), payload)]
    is_public_message = event.kind == EventKind.MESSAGE_ADDED and event.data.get("kind") in (
        MessageKind.INBOUND,
        MessageKind.REPLY,
    )
    if is_public_message or event.kind in PUBLIC_KINDS:
        sends.append((portal_group(ticket.public_id), {**payload, "actor_agent": None}))
    send_to_groups(sends)
