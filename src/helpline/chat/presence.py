"""Whether a visitor has the widget open right now (any tab, any server process): kept in the cache
(Redis in production) as one record per visitor (each open socket and when it was last seen), so
outbound delivery knows if a reply reaches them live.

A socket's record is written when it connects and removed when it closes. While sockets stay
open, each server process refreshes the records of all its visitors together every
`REFRESH_EVERY` seconds (two cache round trips for all of them), rather than each socket on each of
its widget's pings: 2,000 open chats ping 80 times a second. A process that dies stops refreshing,
and its sockets count as gone once `STALE_AFTER` has passed.
"""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from django.core.cache import cache

log = logging.getLogger("helpline.chat")

STALE_AFTER = 70  # seconds
REFRESH_EVERY = 25  # seconds; a record is never older than that while its socket is open
_KEEP_FOR = STALE_AFTER * 2  # the cache entry's lifetime

# this process's open visitor sockets: visitor id -> channel names
_here: dict[str, set[str]] = {}
_refresher: asyncio.Task[None] | None = None


def _key(visitor_id: str) -> str:
    return f"helpline:chat:visitor:{visitor_id}"


def visitor_connected(visitor_id: str, conn: str) -> None:
    records = cache.get(_key(visitor_id)) or {}
    records[conn] = time.time()
    cache.set(_key(visitor_id), records, _KEEP_FOR)


def visitor_disconnected(visitor_id: str, conn: str) -> None:
    records = cache.get(_key(visitor_id)) or {}
    records.pop(conn, None)
    if records:
        cache.set(_key(visitor_id), records, _KEEP_FOR)
    else:
        cache.delete(_key(visitor_id))


def visitor_online(visitor_id: str) -> bool:
    records = cache.get(_key(visitor_id)) or {}
    now = time.time()
    return any(now - seen < STALE_AFTER for seen in records.values())


def refresh(sockets: dict[str, set[str]]) -> None:
    """Mark these sockets (visitor id -> channel names) seen now, in one read and one write for all;
    other sockets' entries in the same records (other tabs, other processes) are kept unless stale."""
    if not sockets:
        return
    now = time.time()
    keys = {_key(visitor_id): visitor_id for visitor_id in sockets}
    stored = cache.get_many(list(keys))
    updated = {}
    for key, visitor_id in keys.items():
        records = {conn: seen for conn, seen in (stored.get(key) or {}).items() if now - seen < STALE_AFTER}
        records.update(dict.fromkeys(sockets[visitor_id], now))
        updated[key] = records
    cache.set_many(updated, _KEEP_FOR)


async def joined(visitor_id: str, conn: str) -> None:
    """A visitor socket opened in this process: recorded now, then refreshed with the others."""
    _here.setdefault(visitor_id, set()).add(conn)
    _keep_refreshing()
    await sync_to_async(visitor_connected)(visitor_id, conn)


async def left(visitor_id: str, conn: str) -> None:
    conns = _here.get(visitor_id)
    if conns is not None:
        conns.discard(conn)
        if not conns:
            del _here[visitor_id]
    await sync_to_async(visitor_disconnected)(visitor_id, conn)


def _keep_refreshing() -> None:
    global _refresher
    loop = asyncio.get_running_loop()
    if _refresher is None or _refresher.done() or _refresher.get_loop() is not loop:
        _refresher = loop.create_task(_refresh_forever(), name="helpline-visitor-presence")


async def _refresh_forever() -> None:
    while True:
        await asyncio.sleep(REFRESH_EVERY)
        sockets = {visitor_id: set(conns) for visitor_id, conns in _here.items()}
        try:
            await sync_to_async(refresh, thread_sensitive=False)(sockets)
        except Exception:
            log.exception("visitor presence refresh failed (%d visitors)", len(sockets))
