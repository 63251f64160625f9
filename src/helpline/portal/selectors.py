"""Reads for the portal. A customer sees only tickets they requested and only public messages;
anything else is "not found", never "forbidden", so nothing leaks about other customers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import NotFoundError
from helpline.customers.models import Customer
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Attachment, Message, MessageKind, Ticket


def customer_tickets(customer: Customer) -> QuerySet[Ticket]:
    """The customer's own tickets (the list page paginates these with `tickets.selectors.paginate`)."""
    return ticket_selectors.visible_tickets(Actor.of_customer(customer)).only(
        "id", "public_id", "number", "subject", "status", "created_at", "updated_at", "last_message_at"
    )


def customer_ticket(customer: Customer, public_id: str) -> Ticket:
    return ticket_selectors.get_ticket(actor=Actor.of_customer(customer), public_id=public_id)


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    return ticket_selectors.ticket_messages(ticket, include_notes=False)


def customer_attachment(customer: Customer, public_id: str) -> Attachment:
    """An attachment of a public message on one of the customer's own tickets."""
    attachment = (
        Attachment.objects.select_related("message__ticket")
        .filter(public_id=public_id, message__ticket__requester=customer)
        .exclude(message__kind=MessageKind.NOTE)
        .first()
    )
    if attachment is None:
        raise NotFoundError(_("No such file."))
    return attachment
