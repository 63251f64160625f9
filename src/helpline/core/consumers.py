"""The base of Helpline's WebSocket consumers.

Channels closes stale database connections before every message a consumer handles
(`aclose_old_connections`: a hop to the shared sync thread and back). Helpline's consumers do their
database work only through `database_sync_to_async`, which does the same in the thread that runs
it, before and after; so here that clean-up happens only around connecting and disconnecting (the
session and user are read in the shared thread then). A chat message costs the visitor's socket, the
agents' sockets and the desk's one thread hop fewer each.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections
from channels.generic.websocket import AsyncJsonWebsocketConsumer

_CLEAN_UP_ON = frozenset({"websocket.connect", "websocket.disconnect"})


class JsonConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        if message["type"] in _CLEAN_UP_ON:
            await aclose_old_connections()
        await handler(message)
