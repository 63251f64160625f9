"""Whether a visitor has the widget open right now (any tab, any server process): kept in the cache
(Redis in production) with a heartbeat, so outbound delivery knows if a reply reaches them live."""

from __future__ import annotations

import time

from django.core.cache import cache

STALE_AFTER = 70  # seconds; the widget pings every 25 s
# a socket refreshes its record on a ping at most this often (every other ping): the record is
# never older than 50 s while the widget pings, well inside STALE_AFTER
REFRESH_AFTER = 30


def _key(visitor_id: str) -> str:
    return f"helpline:chat:visitor:{visitor_id}"


def visitor_connected(visitor_id: str, conn: str) -> None:
    records = cache.get(_key(visitor_id)) or {}
    records[conn] = time.time()
    cache.set(_key(visitor_id), records, STALE_AFTER * 2)


def visitor_disconnected(visitor_id: str, conn: str) -> None:
    records = cache.get(_key(visitor_id)) or {}
    records.pop(conn, None)
    if records:
        cache.set(_key(visitor_id), records, STALE_AFTER * 2)
    else:
        cache.delete(_key(visitor_id))


def visitor_online(visitor_id: str) -> bool:
    records = cache.get(_key(visitor_id)) or {}
    now = time.time()
    return any(now - seen < STALE_AFTER for seen in records.values())
