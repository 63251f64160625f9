"""Similar solved tickets for the agent's ticket page: the desk's full-text search over the
subject's main words (any of them), solved or closed tickets only, with the last public reply
ready to reuse. Words are search's words (Telugu vowel signs stay inside them); the main ones are
the longest, from four letters in Latin script and three in others (ካርዴ, "my card", is three
Ethiopic syllables)."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.core.actors import Actor
from helpline.search.selectors import search_tickets
from helpline.search.text import words as words_of
from helpline.tickets.models import Message, MessageKind, Status, Ticket


def main_words(text: str, count: int = 6) -> list[str]:
    found = {w for w in words_of(text) if len(w) >= (4 if w.isascii() else 3) and not w.isdigit()}
    return sorted(found, key=lambda w: (-len(w), w))[:count]


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    reply: str


def similar_solved_tickets(*, actor: Actor, ticket: Ticket, limit: int = 3) -> list[SimilarTicket]:
    words = main_words(ticket.subject)
    if not words:
        return []
    found = search_tickets(actor=actor, query=" OR ".join(words), limit=30)
    solved = [t for t in found if t.pk != ticket.pk and t.status in (Status.SOLVED, Status.CLOSED)][:limit]
    replies: dict[int, str] = {}
    for message in Message.objects.filter(ticket__in=solved, kind=MessageKind.REPLY).order_by("ticket_id", "-id"):
        replies.setdefault(message.ticket_id, message.body_text)
    return [SimilarTicket(t, replies.get(t.pk, "")) for t in solved]
