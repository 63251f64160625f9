"""Reads for live chat: settings, whether chat is staffed now, a visitor's conversation and thread."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from helpline.accounts.models import Team, User
from helpline.chat.models import Availability, ChatSettings, Conversation
from helpline.customers.models import Channel
from helpline.tickets.models import ACTIVE_STATUSES, Message, MessageKind, Ticket
from helpline.workflow import availability, routing


def chat_settings() -> ChatSettings:
    return ChatSettings.objects.order_by("pk").first() or ChatSettings()


def within_business_hours(config: ChatSettings, now: dt.datetime | None = None) -> bool:
    if config.always_open:
        return True
    try:
        zone = zoneinfo.ZoneInfo(config.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone)
    if config.open_days and local.isoweekday() not in config.open_days:
        return False
    if config.opens_at is None or config.closes_at is None:
        return bool(config.open_days)
    return config.opens_at <= local.time() < config.closes_at


def online_agents() -> list[User]:
    return list(User.objects.filter(is_active=True, routing__status=Availability.ONLINE).select_related("routing"))


def chat_is_staffed(now: dt.datetime | None = None) -> bool:
    """Open hours and at least one agent online: otherwise the widget offers the offline form."""
    return within_business_hours(chat_settings(), now) and availability.anyone_online()


def least_busy_agent(language: str = "", *, team: Team | None = None, exclude: Iterable[int] = ()) -> User | None:
    """An online agent with room for a chat, picked by workflow routing (the team's strategy, else
    the least busy with speakers of the language first)."""
    return availability.pick_chat_agent(language=language, team=team, exclude=exclude)


def agent_load(agent: User) -> tuple[str, int, int]:
    """(availability, open chats, chat capacity) of one agent."""
    return availability.chat_load(agent)


def waiting_chats(tiers: list[str] | None = None) -> QuerySet[Ticket]:
    """Chat tickets nobody has taken yet, VIP customers first, then oldest first (the queue);
    `tiers`: the VIP tiers when the caller has them already."""
    waiting = Ticket.objects.filter(channel=Channel.CHAT, assignee__isnull=True, status__in=ACTIVE_STATUSES)
    return routing.vip_first(waiting, routing.all_vip_tiers() if tiers is None else tiers)


QueueKey = tuple[int, float, int]


def queue_key(ticket: Ticket, tiers: list[str] | None = None) -> QueueKey:
    """Where a chat stands in the queue order: (0 for a VIP customer else 1, arrival, id); the
    smaller key is served first."""
    tiers = routing.all_vip_tiers() if tiers is None else tiers
    ranked = routing.vip_first(Ticket.objects.filter(pk=ticket.pk), tiers)
    vip = getattr(ranked.only("pk").first(), "vip_rank", 1)
    return (int(vip), ticket.created_at.timestamp(), ticket.pk)


def queue_place(ticket: Ticket) -> tuple[int, QueueKey | None]:
    """The chat's position (1: next to be served; 0: an agent has it or it is over) and its key.
    A VIP counts only the VIP chats that came before; everyone else also counts every VIP chat."""
    if ticket.assignee_id or ticket.status not in ACTIVE_STATUSES:
        return 0, None
    tiers = routing.all_vip_tiers()
    key = queue_key(ticket, tiers)
    rank = key[0]
    earlier = Q(created_at__lt=ticket.created_at) | Q(created_at=ticket.created_at, pk__lte=ticket.pk)
    ahead = waiting_chats(tiers).filter(Q(vip_rank__lt=rank) | Q(vip_rank=rank) & earlier)
    return max(ahead.count(), 1), key


def queue_position(ticket: Ticket) -> int:
    """1 for the chat to be served next (VIP customers first, then oldest first); 0 once an agent
    has it (or it is over)."""
    return queue_place(ticket)[0]


def conversation_for(visitor_id: str) -> Conversation | None:
    return Conversation.objects.select_related("ticket", "customer").filter(visitor_id=visitor_id).first()


def known_conversation(visitor_id: str) -> Conversation | None:
    """The conversation as a visitor's socket keeps it between messages (`known` of
    `actions.post_visitor_message`): with its ticket, its customer and the customer's identities
    (the customer's name on each event comes from them)."""
    return (
        Conversation.objects.select_related("ticket", "customer")
        .prefetch_related("customer__identities")
        .filter(visitor_id=visitor_id)
        .first()
    )


def current_ticket(conversation: Conversation | None) -> Ticket | None:
    ticket = conversation.ticket if conversation else None
    while ticket is not None and ticket.merged_into_id:
        ticket = ticket.merged_into
    return ticket


def thread(conversation: Conversation | None) -> list[Message]:
    """The public messages of the visitor's ticket, oldest first."""
    ticket = current_ticket(conversation)
    if ticket is None:
        return []
    return list(
        Message.objects.filter(ticket=ticket)
        .exclude(kind=MessageKind.NOTE)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("id")
    )


def client_id_of(message: Message, conversation: Conversation) -> str:
    prefix = f"{conversation.public_id}:"
    return message.external_id[len(prefix) :] if message.external_id.startswith(prefix) else ""


def serialize_message(message: Message, conversation: Conversation, *, has_files: bool = True) -> dict[str, Any]:
    """The widget's view of a message (`has_files=False`: known to have no attachments, no query)."""
    return {
        "id": message.pk,
        "cid": client_id_of(message, conversation),
        "from": "visitor" if message.kind == MessageKind.INBOUND else "agent",
        "author": str(message.author_agent) if message.author_agent_id else "",
        "body": message.body_text,
        "at": message.created_at.isoformat(),
        "files": [
            {"name": a.filename, "url": reverse("chat:file", args=[a.public_id]), "type": a.content_type}
            for a in (message.attachments.all() if has_files else ())
        ],
        # buttons offered with the message (a satisfaction rating), answered at `answer_url`
        "choices": message.meta.get("choices") or [],
        "answer_url": message.meta.get("answer_url") or "",
    }
