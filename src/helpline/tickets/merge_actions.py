"""Ticket actions that join tickets: merging one into another and linking related tickets."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.tickets import permissions
from helpline.tickets.action_support import (
    ensure_writable,
    lock_ticket,
    publish_events,
    record_event,
    tags_by_name,
    validate_choice,
)
from helpline.tickets.models import EventKind, LinkKind, Message, MessageKind, Status, Ticket, TicketLink

# -- merge and links -----------------------------------------------------------------------------


def merge_tickets(*, actor: Actor, source: Ticket, target: Ticket) -> Ticket:
    """Move every message of `source` into `target`, close `source` and point it at `target`."""
    permissions.require(permissions.can_merge(actor))
    if source.pk == target.pk:
        raise InvalidInputError(_("A ticket cannot be merged into itself."), code="merge_self")
    now = timezone.now()
    with transaction.atomic():
        source = lock_ticket(source)
        target = lock_ticket(target)
        ensure_writable(source)
        ensure_writable(target)
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        target_tags = set(target.tags.values_list("name", flat=True))
        source_tags = set(source.tags.values_list("name", flat=True))
        if source_tags - target_tags:
            target.tags.set(tags_by_name(target_tags | source_tags))
        before_status = source.status
        source.status = Status.CLOSED
        source.closed_at = now
        source.merged_into = target
        source.updated_at = now
        source.save(update_fields=["status", "closed_at", "merged_into", "updated_at"])
        target.updated_at = now
        latest = Message.objects.filter(ticket=target).exclude(kind=MessageKind.NOTE).order_by("-created_at").first()
        target.last_message_at = latest.created_at if latest else target.last_message_at
        target.save(update_fields=["updated_at", "last_message_at"])
        events = [
            record_event(
                source,
                actor,
                EventKind.MERGED,
                before={"status": before_status},
                after={"ticket": target.number},
                data={"messages_moved": moved},
                at=now,
            ),
            record_event(
                target,
                actor,
                EventKind.MERGED_FROM,
                after={"ticket": source.number},
                data={"messages_moved": moved},
                at=now,
            ),
        ]
        publish_events(events)
    return target


def link_tickets(*, actor: Actor, source: Ticket, target: Ticket, kind: str = LinkKind.RELATED) -> TicketLink:
    permissions.require(permissions.can_update(actor, source))
    validate_choice(kind, LinkKind.values, _("Link"))
    if source.pk == target.pk:
        raise InvalidInputError(_("A ticket cannot be linked to itself."), code="link_self")
    with transaction.atomic():
        link, created = TicketLink.objects.get_or_create(source=source, target=target, defaults={"kind": kind})
        if not created:
            return link
        events = [
            record_event(source, actor, EventKind.LINKED, after={"ticket": target.number, "kind": kind}),
            record_event(target, actor, EventKind.LINKED, after={"ticket": source.number, "kind": kind}),
        ]
        publish_events(events)
    return link


def unlink_tickets(*, actor: Actor, source: Ticket, target: Ticket) -> None:
    permissions.require(permissions.can_update(actor, source))
    with transaction.atomic():
        deleted, _detail = TicketLink.objects.filter(source=source, target=target).delete()
        deleted += TicketLink.objects.filter(source=target, target=source).delete()[0]
        if not deleted:
            raise NotFoundError(_("These tickets are not linked."))
        publish_events(
            [
                record_event(source, actor, EventKind.UNLINKED, before={"ticket": target.number}),
                record_event(target, actor, EventKind.UNLINKED, before={"ticket": source.number}),
            ]
        )
