"""What the ticket actions modules share: recording and publishing events, row locks, choice
validation, tag lookup and the "not given" marker for optional keyword arguments.

For use inside `helpline.tickets` only; other apps call the actions themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core import prepared
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError
from helpline.tickets.event_bus import publish_ticket_events
from helpline.tickets.models import Message, Tag, Ticket, TicketEvent

UNSET: Any = object()
"""Default of optional keyword arguments, so `None` can mean "clear this"."""


class TicketMergedError(ConflictError):
    code = "ticket_merged"


def record_event(
    ticket: Ticket,
    actor: Actor,
    kind: str,
    *,
    before: Any = None,
    after: Any = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor_agent=actor.agent,
        actor_customer=actor.customer,
        actor_label=actor.label if actor.is_system else "",
        message=message,
        before=before,
        after=after,
        data=data or {},
        created_at=at or timezone.now(),
    )
    prepared.insert(event)  # the one write every action makes: its statement is built once
    return event


publish_events = publish_ticket_events


def validate_choice(value: str, choices: Iterable[str], label: str) -> str:
    if value not in set(choices):
        raise InvalidInputError(
            _("%(label)s “%(value)s” is not valid.") % {"label": label, "value": value}, code="invalid_choice"
        )
    return value


def ensure_writable(ticket: Ticket) -> None:
    if ticket.merged_into_id:
        raise TicketMergedError(_("Ticket %(ref)s was merged into another ticket.") % {"ref": ticket.reference})


def tags_by_name(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({n.strip().lower()[:60] for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    for name in cleaned:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    return [existing[n] for n in cleaned]


def lock_ticket(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so concurrent writers serialise."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)
