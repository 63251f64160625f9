"""Reads for the agent's side of a chat: the visitor's context (page they are on, browser languages,
whether the widget is open, their place in the queue), suggested merges, canned responses in the customer's language and whom the chat can go to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpline.accounts.models import Team, User
from helpline.chat import presence, selectors
from helpline.chat.models import Conversation
from helpline.core.actors import Actor
from helpline.customers.merge_suggestions import MergeSuggestion, suggestions_for
from helpline.customers.models import Channel
from helpline.tickets.models import Ticket
from helpline.workflow import availability


@dataclass(frozen=True)
class CannedResponse:
    name: str
    text: str


@dataclass
class ChatContext:
    ticket: Ticket
    conversation: Conversation | None
    online: bool
    queue: int
    suggestions: list[MergeSuggestion]
    pages: list[dict[str, Any]] = field(default_factory=list)


def conversation_of(ticket: Ticket) -> Conversation | None:
    return Conversation.objects.filter(ticket=ticket).order_by("-updated_at", "-id").first()


def chat_context(*, actor: Actor, ticket: Ticket) -> ChatContext:
    """The visitor's side (the customer's other tickets are in the requester panel beside it)."""
    conversation = conversation_of(ticket)
    return ChatContext(
        ticket=ticket,
        conversation=conversation,
        online=bool(conversation and presence.visitor_online(conversation.visitor_id)),
        queue=selectors.queue_position(ticket),
        suggestions=suggestions_for(ticket.requester),
        pages=list(reversed(conversation.pages[:-1])) if conversation else [],
    )


def canned_responses(*, ticket: Ticket, agent: User) -> list[CannedResponse]:
    """The agent's macros that carry a reply text, rendered for this chat: the variant in the
    customer's language, placeholders filled. Inserting one changes nothing on the ticket."""
    from helpline.workflow.macros import macros_for, render_macro

    found = []
    for macro in macros_for(agent):
        if not (macro.body.strip() or any(str(v).strip() for v in (macro.variants or {}).values())):
            continue
        text = render_macro(macro=macro, ticket=ticket, agent=agent)
        if text.strip():
            found.append(CannedResponse(name=macro.name, text=text))
    return found


@dataclass(frozen=True)
class TransferTarget:
    agent: User
    open_chats: int
    capacity: int


def transfer_targets(ticket: Ticket) -> tuple[list[TransferTarget], list[Team]]:
    """Online agents with room (the current one left out) and every team."""
    exclude = [ticket.assignee_id] if ticket.assignee_id else []
    agents = [
        TransferTarget(agent=c.agent, open_chats=c.load, capacity=c.capacity)
        for c in availability.chat_candidates(exclude=exclude)
    ]
    return agents, list(Team.objects.order_by("name"))


def is_chat(ticket: Ticket) -> bool:
    return ticket.channel == Channel.CHAT
