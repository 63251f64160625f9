"""Who may see and do what with a ticket. Actions call `require_*`; views and the API use `can_*`.

Roles: admins and supervisors and agents work every ticket; light agents see tickets and add
internal notes only; a portal customer sees only tickets they requested, and never internal notes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import NotPermittedError
from helpline.tickets.models import Ticket


def can_view_ticket(actor: Actor, ticket: Ticket) -> bool:
    if actor.is_system:
        return True
    if actor.agent is not None:
        return actor.agent.is_active
    assert actor.customer is not None
    return ticket.requester_id == actor.customer.pk


def can_reply(actor: Actor, ticket: Ticket) -> bool:
    if actor.agent is not None:
        return actor.agent.is_active and not actor.agent.is_light_agent
    return can_view_ticket(actor, ticket)


def can_add_note(actor: Actor, ticket: Ticket) -> bool:
    return actor.is_system or (actor.agent is not None and actor.agent.is_active)


def can_update(actor: Actor, ticket: Ticket) -> bool:
    if actor.is_system:
        return True
    return actor.agent is not None and actor.agent.is_active and not actor.agent.is_light_agent


def can_merge(actor: Actor) -> bool:
    return actor.is_system or (actor.agent is not None and actor.agent.is_active and not actor.agent.is_light_agent)


def can_manage_settings(actor: Actor) -> bool:
    return actor.agent is not None and actor.agent.is_active and actor.agent.is_admin


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise NotPermittedError(message or _("You are not allowed to do this."))
