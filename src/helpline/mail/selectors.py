"""Reads of the email channel for the admin pages and the ticket page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from helpline.mail.models import (
    Acknowledgement,
    AgentNotification,
    Mailbox,
    MailboxAlias,
    OutboundStatus,
    Participant,
    RawMessage,
    RawStatus,
)
from helpline.mail.tokens import base_address
from helpline.tickets.models import Ticket


def mailboxes_with_counts() -> QuerySet[Mailbox]:
    return (
        Mailbox.objects.select_related("team")
        .prefetch_related("aliases")
        .annotate(quarantined=Count("raw_messages", filter=Q(raw_messages__status=RawStatus.QUARANTINED)))
    )


def own_addresses() -> set[str]:
    """Every address of ours: the mailboxes' and their other addresses (aliases), in lower case."""
    aliases = MailboxAlias.objects.order_by().values_list("address")
    boxes = Mailbox.objects.order_by().values_list("email_address")
    return {a.lower() for (a,) in boxes.union(aliases, all=True)}


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox whose address (or one of its other addresses) `address` is; a plus
    address (`support+1042@…`) is its mailbox's."""
    base = base_address(address)
    return (
        Mailbox.objects.filter(active=True)
        .filter(Q(email_address=base) | Q(pk__in=MailboxAlias.objects.filter(address=base).values("mailbox_id")))
        .first()
    )


def quarantined_messages() -> QuerySet[RawMessage]:
    return (
        RawMessage.objects.filter(status=RawStatus.QUARANTINED)
        .select_related("mailbox")
        .order_by("-received_at", "-id")
    )


def ticket_participants(ticket: Ticket) -> list[Participant]:
    """Who the ticket's replies copy, in the order they joined."""
    return list(Participant.objects.filter(ticket=ticket, dropped_at__isnull=True).select_related("customer"))


def undelivered_notifications() -> QuerySet[AgentNotification]:
    """Notification emails to agents that failed for good (refused, retries spent, or bounced)."""
    return (
        AgentNotification.objects.filter(status=OutboundStatus.FAILED)
        .select_related("agent", "ticket")
        .order_by("-created_at", "-id")
    )


def undelivered_acknowledgements() -> QuerySet[Acknowledgement]:
    return (
        Acknowledgement.objects.filter(status=OutboundStatus.FAILED)
        .select_related("ticket", "mailbox")
        .order_by("-created_at", "-id")
    )


def undelivered_count() -> int:
    return (
        AgentNotification.objects.filter(status=OutboundStatus.FAILED).count()
        + Acknowledgement.objects.filter(status=OutboundStatus.FAILED).count()
    )


def failed_acknowledgements(ticket: Ticket) -> list[Acknowledgement]:
    """The ticket's acknowledgements that did not reach the customer (shown on the ticket)."""
    return list(Acknowledgement.objects.filter(ticket=ticket, status=OutboundStatus.FAILED).order_by("id"))
