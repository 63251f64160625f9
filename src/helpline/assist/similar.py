"""Similar solved tickets for the agent's ticket page: the desk's full-text search over the
subject's main words (any of them), solved or closed tickets only, with the last public reply
ready to reuse."""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpline.core.actors import Actor
from helpline.search.selectors import search_tickets
from helpline.tickets.models import Message, MessageKind, Status, Ticket

_WORD = re.compile(r"\w{4,}", re.UNICODE)


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    reply: str


def similar_solved_tickets(*, actor: Actor, ticket: Ticket, limit: int = 3) -> list[SimilarTicket]:
    words = sorted(set(_WORD.findall(ticket.subject.lower())), key=len, reverse=True)[:6]
    if not words:
        return []
    found = search_tickets(actor=actor, query=" OR ".join(words), limit=30)
    solved = [t for t in found if t.pk != ticket.pk and t.status in (Status.SOLVED, Status.CLOSED)][:limit]
    replies: dict[int, str] = {}
    for message in Message.objects.filter(ticket__in=solved, kind=MessageKind.REPLY).order_by("ticket_id", "-id"):
        replies.setdefault(message.ticket_id, message.body_text)
    return [SimilarTicket(t, replies.get(t.pk, "")) for t in solved]
