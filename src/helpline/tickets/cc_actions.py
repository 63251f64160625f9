"""What channel adapters record when the people copied on a conversation change (email Cc)."""

from __future__ import annotations

from collections.abc import Sequence

from helpline.core.actors import Actor
from helpline.tickets import permissions
from helpline.tickets.action_support import ensure_writable, publish_events, record_event
from helpline.tickets.models import EventKind, Ticket, TicketEvent


def record_cc_change(
    *, actor: Actor, ticket: Ticket, before: Sequence[str], after: Sequence[str]
) -> TicketEvent | None:
    """One `cc_changed` event for the copy list going from `before` to `after` (nothing when
    they are the same). Call inside the transaction that changed the list; subscribers hear of
    it after commit."""
    permissions.require(permissions.can_update(actor, ticket))
    ensure_writable(ticket)
    added = [a for a in after if a not in before]
    removed = [a for a in before if a not in after]
    if not added and not removed:
        return None
    event = record_event(
        ticket,
        actor,
        EventKind.CC_CHANGED,
        before=list(before),
        after=list(after),
        data={"added": added, "removed": removed},
    )
    publish_events([event])
    return event
