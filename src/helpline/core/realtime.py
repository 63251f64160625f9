"""Realtime push over the Channels layer. Group names are the contract with the WebSocket consumers.

- `desk`: every signed-in agent (list pages refresh the rows that changed)
- `ticket.<public_id>`: agents on that ticket's page (thread, history, presence)
- `portal.<public_id>`: the customer following that ticket in the portal (public changes only)
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger("helpline.realtime")

DESK_GROUP = "desk"


def ticket_group(public_id: str) -> str:
    return f"ticket.{public_id}"


def portal_group(public_id: str) -> str:
    return f"portal.{public_id}"


def send_to_group(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        log.exception("realtime push failed group=%s", group)
