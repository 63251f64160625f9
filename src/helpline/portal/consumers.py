"""Live updates for a customer following one ticket in the portal.

The socket is accepted only for the customer signed into the portal session who requested the
ticket; it then receives the public changes pushed to `portal.<public_id>` (new public messages,
status changes) and the page fetches the refreshed thread.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from helpline.core.consumers import JsonConsumer
from helpline.core.realtime import portal_group
from helpline.portal.auth import customer_from_session
from helpline.tickets.models import Ticket

CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _owns_ticket(session: Any, public_id: str) -> bool:
    customer = customer_from_session(session)
    if customer is None:
        return False
    return Ticket.objects.filter(public_id=public_id, requester=customer).exists()


class PortalTicketConsumer(JsonConsumer):
    group: str | None = None

    async def connect(self) -> None:
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        if not await _owns_ticket(self.scope.get("session"), public_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = portal_group(public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The portal page only listens; anything it sends is ignored."""

    async def ticket_changed(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "ticket.changed",
                "ticket": message.get("ticket"),
                "event": message.get("event"),
                "event_id": message.get("event_id"),
                "message": message.get("message"),
            }
        )
