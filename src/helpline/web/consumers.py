"""WebSocket consumers of the agent workspace.

`/ws/desk/` joins the `desk` group and forwards every `ticket.changed` (list pages refresh rows) and
`figures.changed` (the wall board refetches its figures). Both sockets also join `agent.<id>` and
forward the agent's `notification.new` (the bell in the top bar).
`/ws/tickets/<public_id>/` joins `ticket.<public_id>`, forwards `ticket.changed`, and carries
presence: who else is viewing the ticket and who is typing a reply (state in `presence`, changes
broadcast to the group as `presence.changed`).

Only signed-in, active agents who finished two-factor sign-in may connect; others are refused.
"""

from __future__ import annotations

import hashlib
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from helpline.accounts.middleware import TWO_FACTOR_PENDING
from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.consumers import JsonConsumer
from helpline.core.realtime import DESK_GROUP, agent_group, ticket_group
from helpline.tickets.selectors import visible_tickets
from helpline.web import presence

CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404


def _session_pending(session: Any) -> bool:
    return bool(session is not None and session.get(TWO_FACTOR_PENDING))


class AgentConsumer(JsonConsumer):
    """Base: resolves the agent from the session, or refuses the connection."""

    agent: User | None = None

    async def authenticate(self) -> User | None:
        user = self.scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        if await sync_to_async(_session_pending)(self.scope.get("session")):
            return None
        return user

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def ticket_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def figures_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def notification_new(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def join_agent_group(self) -> None:
        """Every workspace socket of an agent receives their in-app notifications."""
        assert self.agent is not None
        await self.channel_layer.group_add(agent_group(self.agent.pk), self.channel_name)

    async def leave_agent_group(self) -> None:
        if self.agent is not None:
            await self.channel_layer.group_discard(agent_group(self.agent.pk), self.channel_name)


class DeskConsumer(AgentConsumer):
    async def connect(self) -> None:
        self.agent = await self.authenticate()
        if self.agent is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        await self.channel_layer.group_add(DESK_GROUP, self.channel_name)
        await self.join_agent_group()
        await self.accept()
        await self.send_json({"type": "hello", "agent": self.agent.pk})

    async def disconnect(self, code: int) -> None:
        if self.agent is not None:
            await self.channel_layer.group_discard(DESK_GROUP, self.channel_name)
            await self.leave_agent_group()


def _ticket_visible(agent: User, public_id: str) -> bool:
    return visible_tickets(Actor.of_agent(agent)).filter(public_id=public_id).exists()


class TicketConsumer(AgentConsumer):
    public_id = ""
    group = ""
    conn = ""
    joined = False
    _last_sent: tuple[Any, ...] | None = None

    async def connect(self) -> None:
        self.agent = await self.authenticate()
        if self.agent is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        if not await database_sync_to_async(_ticket_visible)(self.agent, self.public_id):
            self.agent = None
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = ticket_group(self.public_id)
        self.conn = hashlib.sha256(self.channel_name.encode()).hexdigest()[:16]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.join_agent_group()
        await self.accept()
        await self.send_json({"type": "hello", "agent": self.agent.pk})
        viewers = await sync_to_async(presence.join)(
            self.public_id, self.conn, agent_id=self.agent.pk, name=str(self.agent)
        )
        self.joined = True
        await self.broadcast(viewers)

    async def disconnect(self, code: int) -> None:
        if self.agent is None or not self.group:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.leave_agent_group()
        if self.joined:
            viewers = await sync_to_async(presence.leave)(self.public_id, self.conn)
            await self.broadcast(viewers)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.agent is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind not in ("ping", "typing", "viewing"):
            return
        typing = bool(content.get("active")) if kind == "typing" else None
        viewers = await sync_to_async(presence.touch)(
            self.public_id, self.conn, agent_id=self.agent.pk, name=str(self.agent), typing=typing
        )
        if kind == "ping":
            await self.send_json({"type": "pong"})
        await self.broadcast(viewers, only_if_changed=kind == "ping")

    async def broadcast(self, viewers: list[dict[str, Any]], *, only_if_changed: bool = False) -> None:
        signature = tuple((v["id"], v["typing"]) for v in viewers)
        if only_if_changed and signature == self._last_sent:
            return
        self._last_sent = signature
        await self.channel_layer.group_send(self.group, {"type": "presence.changed", "viewers": viewers})

    async def presence_changed(self, event: dict[str, Any]) -> None:
        assert self.agent is not None
        self._last_sent = tuple((v["id"], v["typing"]) for v in event["viewers"])
        others = [
            {"id": v["id"], "name": v["name"], "typing": v["typing"]}
            for v in event["viewers"]
            if v["id"] != self.agent.pk
        ]
        await self.send_json({"type": "presence", "viewers": others})
