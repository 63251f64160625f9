"""Realtime push over the Channels layer. Group names are the contract with the WebSocket consumers.

- `desk`: every signed-in agent (list pages refresh the rows that changed; the wall board refetches
  its figures on any message, including `figures.changed` for changes that are not ticket events:
  an agent's availability, SLA breaches found by the sweep)
- `ticket.<public_id>`: agents on that ticket's page (thread, history, presence)
- `portal.<public_id>`: the customer following that ticket in the portal (public changes only)
- `agent.<id>`: every workspace socket of one agent (in-app notifications)

With Redis (production) a push works from any process. With the embedded in-memory layer only the
server process can deliver, so the task worker runs as a thread inside it; pushes from such threads
are handed to the server's event loop (recorded by `RecordServerLoop` around the ASGI application).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer

from helpline.core import batching

log = logging.getLogger("helpline.realtime")

DESK_GROUP = "desk"
_server_loop: asyncio.AbstractEventLoop | None = None


def ticket_group(public_id: str) -> str:
    return f"ticket.{public_id}"


def portal_group(public_id: str) -> str:
    return f"portal.{public_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


class RecordServerLoop:
    """ASGI wrapper remembering the event loop that serves WebSockets, and giving that loop
    `threads` threads for the consumers' database work (`database_sync_to_async` runs there; each
    thread keeps its own database connection). Python's default is min(32, CPUs + 4): on a small
    machine a few slow commits would hold every thread while other conversations wait. It also starts
    the server's garbage-collection policy (`core.gc_policy`) on that loop when `gc_policy` is set."""

    def __init__(self, app: Any, *, threads: int = 0, switch_interval_ms: float = 0, gc_policy: bool = False):
        self.app = app
        self.threads = threads
        self.switch_interval_ms = switch_interval_ms
        self.gc_policy = gc_policy

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        global _server_loop
        loop = asyncio.get_running_loop()
        if loop is not _server_loop:
            _server_loop = loop
            if self.threads:
                loop.set_default_executor(ThreadPoolExecutor(self.threads, thread_name_prefix="helpline-db"))
            if self.switch_interval_ms:
                # the loop waits this long at most for the GIL while those threads run Python
                sys.setswitchinterval(self.switch_interval_ms / 1000)
            if self.gc_policy:
                from helpline.core import gc_policy

                gc_policy.start(loop)
        return await self.app(scope, receive, send)


def push_figures_changed(what: str) -> None:
    """Tell the desk that live figures changed without a ticket event (`what`: "agents", "sla")."""
    send_to_group(DESK_GROUP, {"type": "figures.changed", "what": what})


def send_to_group(group: str, message: dict[str, Any]) -> None:
    send_to_groups([(group, message)])


PUSHES_KEY = "realtime.pushes"


def send_to_groups(sends: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Push each (group, message), all at once: one hop to the event loop for all of them, the
    channel layer's round trips overlapping (a ticket change goes to the desk, the ticket's page and
    the portal). A failed push is logged; the others still go. Inside a `core.batching` batch (a
    fetched chunk of mail) the pushes are collected and sent together when the batch's work is done."""
    if batching.active():
        collected: list[tuple[str, dict[str, Any]]] = batching.memo(PUSHES_KEY, list)
        collected.extend(sends)
        batching.defer(PUSHES_KEY, _send_collected, PUSHES_KEY)
        return
    _push(sends)


def _send_collected(_keys: list[str]) -> None:
    collected: list[tuple[str, dict[str, Any]]] = batching.memo(PUSHES_KEY, list)
    sends = list(collected)
    collected.clear()
    _push(sends)


def _push(sends: Sequence[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None or not sends:
        return

    async def push() -> None:
        if await _publish_pipelined(layer, sends):
            return
        results = await asyncio.gather(*(layer.group_send(g, m) for g, m in sends), return_exceptions=True)
        for (group, _message), result in zip(sends, results, strict=True):
            if isinstance(result, BaseException):
                log.error("realtime push failed group=%s", group, exc_info=result)

    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            if _in_sync_to_async_of(loop):
                # a consumer's database thread (e.g. after a chat message's commit): hand the push to
                # the server's loop and go on; waiting for it would hold the thread (and the
                # consumer's answer) until the loop got round to it. Pushes keep their order: the
                # loop starts them in the order they were handed over.
                asyncio.run_coroutine_threadsafe(_logged(push(), sends), loop)
                return
            if isinstance(layer, InMemoryChannelLayer):
                # e.g. the embedded task worker thread: deliver on the loop the consumers live on.
                asyncio.run_coroutine_threadsafe(push(), loop).result(timeout=5)
                return
        async_to_sync(push)()
    except Exception:
        log.exception("realtime push failed groups=%s", ",".join(g for g, _m in sends))


async def _logged(push: Any, sends: Sequence[tuple[str, dict[str, Any]]]) -> None:
    try:
        await push
    except Exception:
        log.exception("realtime push failed groups=%s", ",".join(g for g, _m in sends))


async def _publish_pipelined(layer: Any, sends: Sequence[tuple[str, dict[str, Any]]]) -> bool:
    """With the Redis pub/sub layer, the group messages go as the PUBLISHes of one pipeline per
    shard: one round trip and one turn of the shard's lock for a ticket change's three groups, where
    `group_send` takes both per group (the lock is shared by every publish and subscribe of the
    process, so at a few hundred changes a second they queue on it). A message sent to several
    groups is serialized once. Returns False for other layers (the caller sends group by group)."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return False
    try:
        loop_layer = layer._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = {}
        packed: dict[int, bytes] = {}
        for group, message in sends:
            channel = loop_layer._get_group_channel_name(group)
            if id(message) not in packed:
                packed[id(message)] = layer.serialize(message)
            by_shard.setdefault(loop_layer._get_shard(channel), []).append((channel, packed[id(message)]))
        for shard, items in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, data in items:
                    pipe.publish(channel, data)
                await pipe.execute()
    except AttributeError:  # another channels_redis than the one this was written against
        log.warning("pipelined publish unavailable; sending group by group", exc_info=True)
        return False
    return True


def _in_sync_to_async_of(loop: asyncio.AbstractEventLoop) -> bool:
    """True in a thread started by sync_to_async from `loop` (the loop is blocked awaiting us)."""
    from asgiref.sync import SyncToAsync

    return getattr(SyncToAsync.threadlocal, "main_event_loop", None) is loop
