"""What the chat page shows an agent: their live chats, the visitors waiting in the queue and who is online."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from helpline.accounts.models import User
from helpline.customers.models import Channel
from helpline.tickets.models import ACTIVE_STATUSES, Ticket
from helpline.workflow import availability
from helpline.workflow.availability import Candidate

LIST_LIMIT = 50


@dataclass(frozen=True)
class ChatWorkspace:
    mine: list[Ticket]
    waiting: list[Ticket]
    waiting_total: int
    online: list[Candidate]  # agent, open chats (load), chat capacity


def _active_chats() -> QuerySet[Ticket]:
    return Ticket.objects.filter(channel=Channel.CHAT, status__in=ACTIVE_STATUSES, merged_into__isnull=True)


def workspace(agent: User) -> ChatWorkspace:
    mine = _active_chats().filter(assignee=agent).select_related("requester").order_by("-updated_at")
    waiting = _active_chats().filter(assignee__isnull=True).select_related("requester", "team").order_by("created_at")
    return ChatWorkspace(
        mine=list(mine[:LIST_LIMIT]),
        waiting=list(waiting[:LIST_LIMIT]),
        waiting_total=waiting.count(),
        online=sorted(availability.online_with_load(), key=lambda c: str(c.agent).lower()),
    )
