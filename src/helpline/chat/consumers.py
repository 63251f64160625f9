"""The visitor's WebSocket (`/ws/chat/?token=<signed visitor token>`).

Protocol (JSON frames):
- server → `welcome` {conversation, staffed, queue, messages: [...]} on every (re)connect: the whole
  thread, so a widget coming back after a network drop shows each message once, in order (by id).
- client → `message` {cid, body}; server → `ack` {cid, message}. The client keeps unacknowledged
  messages and sends them again after a reconnect; the same `cid` is stored once.
- server → `message` {message} for replies (and the visitor's own messages from another tab).
- client → `typing` {active}; server → `typing` {active} when an agent types on the ticket page.
- client → `read` {up_to}; server → `seen` when an agent has the chat open (visitor's messages read).
- client → `page` {url, title, languages, language} on every page load and in-page navigation: the
  agents' context panel shows where the visitor is.
- client → `suggest` {q, lang} while the visitor types a first message; server → `suggestions`
  {q, articles: [{article, title, url, language}]} (none for greetings and small talk).
- client → `article_read` {article, language} when the visitor opens a suggested article; if the
  socket closes with no message sent after that, each article read counts as a deflection.
- server → `queue` {position} while the chat waits for an agent, each time the queue moves (0: taken);
  server → `notice` {text} for things the visitor should know (e.g. a transfer to another agent).

The consumer joins `ticket.<public_id>` (the agent workspace's group): `ticket.changed` brings new
messages (only public ones are forwarded) and `presence.changed` brings agents' viewing/typing;
the visitor's typing goes back to the agents as a presence entry.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache

from helpline.chat import actions, presence, selectors
from helpline.chat.groups import QUEUE_GROUP, visitor_group
from helpline.chat.models import Conversation
from helpline.chat.strings import widget_language
from helpline.chat.tokens import visitor_from_token
from helpline.core.consumers import JsonConsumer
from helpline.core.errors import HelplineError
from helpline.core.realtime import ticket_group
from helpline.knowledge.suggestions import count_deflection, suggestion_items
from helpline.tickets.models import Message, MessageKind
from helpline.web import presence as desk_presence

log = logging.getLogger("helpline.chat")


# SQLite has one writer and its shared-cache test database locks whole tables: there, database
# work stays on the one shared thread; other databases take it off so conversations don't queue.
_ONE_DB_THREAD = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")

CLOSE_UNAUTHORIZED = 4401
VISITOR_VIEWER_ID = "visitor"


def _queue_state(ticket: Any) -> dict[str, Any]:
    position, key = selectors.queue_place(ticket) if ticket else (0, None)
    return {"queue": position, "queued_at": key}


def _welcome(visitor_id: str) -> tuple[dict[str, Any], Conversation | None]:
    """The welcome frame, and the conversation for the socket to keep (`known` of its messages)."""
    conversation = selectors.known_conversation(visitor_id)
    ticket = selectors.current_ticket(conversation)
    messages = selectors.thread(conversation)
    welcome = {
        "type": "welcome",
        "ticket": ticket.public_id if ticket else None,
        "staffed": selectors.chat_is_staffed(),
        **_queue_state(ticket),
        "agent_viewing": bool(ticket and desk_presence.viewers(ticket.public_id)),
        "messages": [selectors.serialize_message(m, conversation) for m in messages] if conversation else [],
    }
    return welcome, conversation


def _post(
    visitor_id: str, cid: str, body: str, known_ticket: str | None = None, known: Conversation | None = None
) -> dict[str, Any]:
    """Store a visitor message; its place in the queue is counted only when the message opened a new
    chat (otherwise the socket already knows it and follows queue moves). `known`: the conversation
    the socket keeps (the result's `conversation` is the one to keep next)."""
    message, conversation = actions.post_visitor_message(visitor_id=visitor_id, client_id=cid, body=body, known=known)
    ticket = selectors.current_ticket(conversation)
    public_id = ticket.public_id if ticket else None
    return {
        "ticket": public_id,
        **(_queue_state(ticket) if public_id != known_ticket else {"queue": None, "queued_at": None}),
        "message": selectors.serialize_message(message, conversation, has_files=False),
        "message_public_id": message.public_id,
        "conversation": conversation,
    }


def _current_queue(visitor_id: str) -> dict[str, Any]:
    return _queue_state(selectors.current_ticket(selectors.conversation_for(visitor_id)))


def _public_message(
    visitor_id: str, ticket_public_id: str, message_public_id: str, known: Conversation | None = None
) -> dict[str, Any] | None:
    conversation = known
    ticket = selectors.current_ticket(conversation)
    if ticket is None or ticket.public_id != ticket_public_id:
        conversation = selectors.conversation_for(visitor_id)
        ticket = selectors.current_ticket(conversation)
    if conversation is None or ticket is None or ticket.public_id != ticket_public_id:
        return None
    message = (
        Message.objects.filter(public_id=message_public_id, ticket=ticket)
        .exclude(kind=MessageKind.NOTE)
        .select_related("author_agent")
        .prefetch_related("attachments")
        .first()
    )
    return selectors.serialize_message(message, conversation) if message else None


class VisitorConsumer(JsonConsumer):
    visitor_id: str | None = None
    ticket: str | None = None
    name = ""
    typing = False
    queue = 0
    queued_at: tuple[int, float, int] | None = None
    in_queue_group = False
    # the conversation as of this socket's last message (its ticket, customer): the next message
    # goes straight onto that ticket while it is still the conversation's and open
    conversation: Conversation | None = None

    async def connect(self) -> None:
        self.acknowledged: set[str] = set()
        self.read_articles: dict[str, str] = {}  # suggested articles opened since the last message sent
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.visitor_id = visitor_from_token((query.get("token") or [""])[0])
        if self.visitor_id is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        await self.channel_layer.group_add(visitor_group(self.visitor_id), self.channel_name)
        await self.accept()
        await presence.joined(self.visitor_id, self.channel_name)
        welcome, self.conversation = await database_sync_to_async(_welcome, thread_sensitive=_ONE_DB_THREAD)(
            self.visitor_id
        )
        await self.follow(welcome["ticket"])
        await self.set_queue(welcome.pop("queue"), welcome.pop("queued_at"), notify=False)
        welcome["queue"] = self.queue
        await self.send_json(welcome)

    async def disconnect(self, code: int) -> None:
        if self.visitor_id is None:
            return
        if self.read_articles:
            await database_sync_to_async(_count_deflections, thread_sensitive=_ONE_DB_THREAD)(
                self.visitor_id, self.read_articles
            )
        await self.channel_layer.group_discard(visitor_group(self.visitor_id), self.channel_name)
        await presence.left(self.visitor_id, self.channel_name)
        if self.in_queue_group:
            await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        if self.ticket:
            if self.typing:
                await self.send_typing(False)
            await self.channel_layer.group_discard(ticket_group(self.ticket), self.channel_name)

    async def follow(self, ticket_public_id: str | None) -> None:
        if ticket_public_id and ticket_public_id != self.ticket:
            if self.ticket:
                await self.channel_layer.group_discard(ticket_group(self.ticket), self.channel_name)
            self.ticket = ticket_public_id
            await self.channel_layer.group_add(ticket_group(ticket_public_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.visitor_id is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "message":
            await self.receive_message(content)
        elif kind == "typing":
            await self.send_typing(bool(content.get("active")))
        elif kind == "read":
            try:
                up_to = int(content.get("up_to") or 0)
            except (TypeError, ValueError):
                return
            await database_sync_to_async(actions.mark_read)(visitor_id=self.visitor_id, up_to=up_to)
        elif kind == "page":
            await database_sync_to_async(actions.note_visitor_page, thread_sensitive=_ONE_DB_THREAD)(
                visitor_id=self.visitor_id,
                url=str(content.get("url") or ""),
                title=str(content.get("title") or ""),
                browser_language=str(content.get("languages") or ""),
                language=str(content.get("language") or ""),
            )
        elif kind == "suggest":
            await self.suggest(content)
        elif kind == "article_read":
            article = str(content.get("article") or "")[:40]
            if article and len(self.read_articles) < 20:
                self.read_articles[article] = str(content.get("language") or "")[:16]
        elif kind == "ping":  # keeps proxies from closing an idle socket; presence is refreshed per process
            await self.send_json({"type": "pong"})

    async def receive_message(self, content: dict[str, Any]) -> None:
        assert self.visitor_id is not None
        cid = str(content.get("cid") or "")[:64]
        try:
            result = await database_sync_to_async(_post, thread_sensitive=_ONE_DB_THREAD)(
                self.visitor_id, cid, str(content.get("body") or ""), self.ticket, self.conversation
            )
        except HelplineError as exc:
            await self.send_json({"type": "error", "cid": cid, "code": exc.code, "message": exc.message})
            return
        if result["ticket"] != self.ticket:
            await self.follow(result["ticket"])
            await self.channel_layer.group_send(
                visitor_group(self.visitor_id), {"type": "chat.follow", "ticket": result["ticket"]}
            )
        self.conversation = result.pop("conversation")
        self.typing = False
        self.read_articles.clear()  # the suggestions did not settle it: no deflection
        self.acknowledged.add(result["message_public_id"])  # its `ticket.changed` echo needs no lookup
        if result["queue"] is None:
            result["queue"] = self.queue
        else:
            await self.set_queue(result["queue"], result["queued_at"], notify=False)
        await self.send_json(
            {
                "type": "ack",
                "cid": cid,
                "ticket": result["ticket"],
                "queue": result["queue"],
                "message": result["message"],
            }
        )

    async def suggest(self, content: dict[str, Any]) -> None:
        query = str(content.get("q") or "")[:500]
        language = widget_language(str(content.get("lang") or ""))
        articles = await database_sync_to_async(suggestion_items, thread_sensitive=_ONE_DB_THREAD)(
            query, language=language
        )
        await self.send_json({"type": "suggestions", "q": query, "articles": articles})

    async def set_queue(self, position: int, queued_at: Any, *, notify: bool = True) -> None:
        """Remember the chat's place in the queue; only waiting widgets listen to queue moves."""
        changed = position != self.queue
        self.queue, self.queued_at = position, tuple(queued_at) if queued_at else None
        if position and not self.in_queue_group:
            await self.channel_layer.group_add(QUEUE_GROUP, self.channel_name)
            self.in_queue_group = True
        elif not position and self.in_queue_group:
            await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
            self.in_queue_group = False
        if notify and changed:
            await self.send_json({"type": "queue", "position": position})

    async def send_typing(self, active: bool) -> None:
        self.typing = active
        if not self.ticket:
            return
        viewers = await sync_to_async(desk_presence.viewers)(self.ticket)
        entry = {"id": VISITOR_VIEWER_ID, "name": str(_visitor_label()), "typing": active, "since": time.time()}
        await self.channel_layer.group_send(
            ticket_group(self.ticket), {"type": "presence.changed", "viewers": [*viewers, entry]}
        )

    # -- group messages ---------------------------------------------------------------------------

    async def chat_follow(self, event: dict[str, Any]) -> None:
        await self.follow(event.get("ticket"))

    async def chat_notice(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notice", "text": str(event.get("text") or "")})

    async def chat_queue(self, event: dict[str, Any]) -> None:
        """A chat left or re-entered the queue: ours is recounted; those behind it move by one."""
        if self.visitor_id is None:
            return
        if event.get("recount") or event.get("ticket") == self.ticket or self.queued_at is None:
            state = await database_sync_to_async(_current_queue, thread_sensitive=_ONE_DB_THREAD)(self.visitor_id)
            await self.set_queue(state["queue"], state["queued_at"])
            return
        moved = (int(event.get("rank", 1)), float(event.get("at") or 0), int(event.get("pk") or 0))
        if moved < self.queued_at:  # a chat served before ours (a VIP one, or one that came earlier)
            await self.set_queue(max(1, self.queue + int(event.get("delta") or 0)), self.queued_at)

    async def ticket_changed(self, event: dict[str, Any]) -> None:
        if event.get("event") != "message_added" or not event.get("message") or self.visitor_id is None:
            return
        if event["message"] in self.acknowledged:
            self.acknowledged.discard(event["message"])  # this tab sent it and has it from the ack
            return
        message = await database_sync_to_async(_public_message, thread_sensitive=_ONE_DB_THREAD)(
            self.visitor_id, str(event.get("ticket")), str(event["message"]), self.conversation
        )
        if message is not None:
            await self.send_json({"type": "message", "message": message})

    async def presence_changed(self, event: dict[str, Any]) -> None:
        agents = [v for v in event.get("viewers", []) if v.get("id") != VISITOR_VIEWER_ID]
        await self.send_json(
            {
                "type": "typing",
                "active": any(v.get("typing") for v in agents),
                "name": next((v.get("name", "") for v in agents if v.get("typing")), ""),
            }
        )
        if agents:
            await self.send_json({"type": "seen"})


def _count_deflections(visitor_id: str, read: dict[str, str]) -> None:
    """Once per visitor and article (a day): the widget reconnects on every page of the site."""
    for public_id, language in read.items():
        if cache.add(f"chat:deflected:{visitor_id}:{public_id}", 1, timeout=86400):
            count_deflection(public_id=public_id, language=language)


def _visitor_label() -> str:
    from django.utils.translation import gettext

    return gettext("Chat visitor")
