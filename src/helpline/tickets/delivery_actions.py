"""What channel adapters report about a reply's delivery (queued, sent, delivered, failed)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.tickets.action_support import publish_events, record_event, validate_choice
from helpline.tickets.models import DeliveryStatus, EventKind, Message, Ticket, TicketEvent

# -- delivery ------------------------------------------------------------------------------------


def set_delivery_status(
    *,
    actor: Actor,
    message: Message,
    status: str,
    error: str = "",
    external_id: str = "",
    at: dt.datetime | None = None,
) -> Message:
    """Outbound adapters report what happened to a reply (sent, delivered, failed); `at` backdates
    the record (imports, demo data)."""
    validate_choice(status, DeliveryStatus.values, _("Delivery status"))
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.delivery_status == status and locked.delivery_error == error:
            return locked
        before = locked.delivery_status
        locked.delivery_status = status
        locked.delivery_error = error[:2000]
        fields = ["delivery_status", "delivery_error"]
        if external_id and not locked.external_id:
            locked.external_id = external_id
            fields.append("external_id")
        locked.save(update_fields=fields)
        event = record_event(
            locked.ticket,
            actor,
            EventKind.DELIVERY_CHANGED,
            message=locked,
            before=before,
            after=status,
            data={"error": error[:500]} if error else {},
            at=at,
        )
        publish_events([event])
    return locked


def record_mail_failure(*, actor: Actor, ticket: Ticket, mail: str, recipient: str, error: str) -> TicketEvent:
    """A mail about the ticket that is no message of it (`mail`: "acknowledgement") did not reach
    `recipient` for good (refused, retries spent, or bounced): recorded in the ticket's history and,
    like every change, pushed to the agents on the ticket's page."""
    with transaction.atomic():
        event = record_event(
            ticket,
            actor,
            EventKind.DELIVERY_CHANGED,
            after=DeliveryStatus.FAILED,
            data={"mail": mail, "recipient": recipient, "error": error[:500]},
        )
        publish_events([event])
    return event
