"""Who works a chat: transferring it to another agent or a team, and handing waiting chats to agents
as they come online or finish a chat. Availability (online) and capacity (concurrent chats) are
respected; a chat nobody can take waits in the queue, its position shown to the visitor."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from helpline.accounts.models import Team, User
from helpline.chat import selectors
from helpline.chat.groups import visitor_group
from helpline.chat.models import Availability, Conversation
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError
from helpline.core.realtime import send_to_group
from helpline.customers.models import Channel
from helpline.tickets import actions as ticket_actions
from helpline.tickets import permissions
from helpline.tickets.models import ACTIVE_STATUSES, Ticket

ROUTING_ACTOR = Actor.system("chat routing")
MAX_NOTE = 2_000


def _customer_language(ticket: Ticket) -> str:
    return ticket.requester.language or ticket.language


def check_agent_can_take(agent: User) -> None:
    """Refuse a transfer to an agent who is not online or already has a full load of chats."""
    status, open_chats, capacity = selectors.agent_load(agent)
    if not agent.is_active or status != Availability.ONLINE:
        raise ConflictError(
            _("%(name)s is not available for chats right now.") % {"name": str(agent)}, code="agent_unavailable"
        )
    if open_chats >= capacity:
        raise ConflictError(
            _("%(name)s already has %(count)s of %(capacity)s chats.")
            % {"name": str(agent), "count": open_chats, "capacity": capacity},
            code="agent_at_capacity",
        )


def transfer_chat(
    *, actor: Actor, ticket: Ticket, agent: User | None = None, team: Team | None = None, note: str = ""
) -> Ticket:
    """Hand a chat to another agent (who must be online and under capacity) or to a team (its least
    busy available member takes it, else it waits in the queue for that team). The note is kept as
    an internal note; the visitor is told in their language."""
    permissions.require(permissions.can_update(actor, ticket))
    if ticket.channel != Channel.CHAT:
        raise InvalidInputError(_("Only chats can be transferred."), code="not_a_chat")
    if ticket.status not in ACTIVE_STATUSES:
        raise ConflictError(_("This chat is over."), code="chat_over")
    if (agent is None) == (team is None):
        raise InvalidInputError(_("Choose one agent or one team."), code="transfer_target")
    note = (note or "").strip()[:MAX_NOTE]
    if agent is not None:
        if agent.pk == ticket.assignee_id:
            raise InvalidInputError(_("This agent already has the chat."), code="transfer_same_agent")
        check_agent_can_take(agent)
        new_agent: User | None = agent
    else:
        assert team is not None
        exclude = [ticket.assignee_id] if ticket.assignee_id else []
        new_agent = selectors.least_busy_agent(_customer_language(ticket), team=team, exclude=exclude)
    with transaction.atomic():
        changes: dict[str, object] = {"assignee": new_agent}
        if team is not None:
            changes["team"] = team
        ticket_actions.update_ticket(actor=actor, ticket=ticket, **changes)  # type: ignore[arg-type]
        target = str(new_agent) if new_agent is not None else str(team)
        if note:
            ticket_actions.add_internal_note(
                actor=actor,
                ticket=ticket,
                body_text=_("Chat transferred to %(target)s: %(note)s") % {"target": target, "note": note},
            )
        _tell_visitors(ticket, agent=new_agent, team=team)
    return ticket


def _tell_visitors(ticket: Ticket, *, agent: User | None, team: Team | None) -> None:
    for conversation in Conversation.objects.filter(ticket=ticket).only("visitor_id", "language"):
        with translation.override(conversation.language or _customer_language(ticket) or "en"):
            if agent is not None:
                text = _("You are being transferred to %(name)s.") % {"name": str(agent)}
            else:
                text = _(
                    "You are being transferred to the %(team)s team. The next available agent will answer you."
                ) % {"team": str(team)}
        group = visitor_group(conversation.visitor_id)
        message = {"type": "chat.notice", "text": text}
        transaction.on_commit(partial(send_to_group, group, message))


def route_waiting_chats(*, limit: int = 100) -> int:
    """Give waiting chats, oldest first, to available agents (least busy; speakers of the
    customer's language first; members of the chat's team when it has one). Returns how many."""
    routed = 0
    for ticket in selectors.waiting_chats().select_related("requester", "team")[:limit]:
        agent = selectors.least_busy_agent(_customer_language(ticket), team=ticket.team)
        if agent is None:
            if ticket.team_id is None:
                break  # nobody at all has room
            continue
        ticket_actions.update_ticket(actor=ROUTING_ACTOR, ticket=ticket, assignee=agent)
        routed += 1
    return routed
