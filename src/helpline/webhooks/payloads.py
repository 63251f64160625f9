"""The JSON body sent for a ticket event: the event, who did it, what changed and the ticket as it is."""

from __future__ import annotations

from typing import Any

from helpline.tickets.models import Message, Ticket, TicketEvent


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _actor(event: TicketEvent) -> dict[str, Any]:
    if event.actor_agent_id and event.actor_agent is not None:
        return {"type": "agent", "id": event.actor_agent_id, "name": str(event.actor_agent)}
    if event.actor_customer_id and event.actor_customer is not None:
        customer = event.actor_customer
        return {"type": "customer", "public_id": customer.public_id, "name": customer.name}
    return {"type": "system", "name": event.actor_label or "system"}


def _ticket(ticket: Ticket) -> dict[str, Any]:
    requester = ticket.requester
    return {
        "number": ticket.number,
        "public_id": ticket.public_id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.ticket_type,
        "channel": ticket.channel,
        "language": ticket.language,
        "requester": {"public_id": requester.public_id, "name": requester.name, "email": requester.email},
        "assignee": {"id": ticket.assignee_id, "name": str(ticket.assignee)} if ticket.assignee else None,
        "team": {"id": ticket.team_id, "name": ticket.team.name} if ticket.team else None,
        "tags": sorted(t.name for t in ticket.tags.all()),
        "custom_fields": ticket.custom_fields,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "public_id": message.public_id,
        "kind": message.kind,
        "channel": message.channel,
        "author": message.author_name,
        "body_text": message.body_text,
        "body_html": message.body_html,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in message.attachments.all()
        ],
        "created_at": _iso(message.created_at),
    }


def event_payload(event: TicketEvent) -> dict[str, Any]:
    ticket = (
        Ticket.objects.select_related("requester", "assignee", "team")
        .prefetch_related("tags", "requester__identities")
        .get(pk=event.ticket_id)
    )
    message = None
    if event.message_id:
        message = (
            Message.objects.select_related("author_agent", "author_customer")
            .prefetch_related("attachments")
            .filter(pk=event.message_id)
            .first()
        )
    return {
        "id": event.pk,
        "event": event.kind,
        "created_at": _iso(event.created_at),
        "actor": _actor(event),
        "change": {"before": event.before, "after": event.after, "data": event.data},
        "ticket": _ticket(ticket),
        "message": _message(message) if message is not None else None,
    }
