"""WebSocket route of the chat widget. Widgets live on customers' own websites, so this route is
served before the workspace's origin check: the visitor is identified by the signed token in the
query string, never by cookies, so a foreign origin gains nothing."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from django.urls import path

from helpline.chat.consumers import VisitorConsumer

websocket_urlpatterns = [
    path("ws/chat/", VisitorConsumer.as_asgi()),
]

_chat_router = URLRouter(websocket_urlpatterns)


class ChatWebsocketRouter:
    """Sends `/ws/chat/` to the visitor consumer and every other socket to `fallback`."""

    def __init__(self, fallback: Any):
        self.fallback = fallback

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope.get("path", "").startswith("/ws/chat/"):
            return await _chat_router(scope, receive, send)
        return await self.fallback(scope, receive, send)
