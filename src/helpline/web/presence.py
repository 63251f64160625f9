"""Who is looking at a ticket, and who is typing a reply on it.

The state lives in the Django cache (Redis in production, so every web process sees the same;
local memory when embedded), one entry per ticket holding one record per open connection.
Records carry a last-seen time: a connection that stops sending heartbeats (a process that died
without saying goodbye) drops out after `STALE_AFTER` seconds, and the whole entry expires when
nobody refreshes it. Changes are broadcast to the ticket's channel group by the consumer.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

STALE_AFTER = 70  # seconds without a heartbeat before a viewer is dropped (browsers ping every 25 s)
TYPING_FOR = 8  # seconds a "typing" signal lasts unless renewed
ENTRY_TTL = 300  # the cache entry itself expires when nobody is left to refresh it
_LOCK_TTL = 2


def _key(public_id: str) -> str:
    return f"helpline:presence:{public_id}"


def _with_lock(public_id: str, change: Any) -> dict[str, dict[str, Any]]:
    """Read-modify-write of one ticket's records under a short cache lock (best effort: if the
    lock cannot be had in ~0.3 s the change is applied anyway; the next heartbeat repairs it)."""
    lock = _key(public_id) + ":lock"
    acquired = False
    for _attempt in range(30):
        if cache.add(lock, 1, _LOCK_TTL):
            acquired = True
            break
        time.sleep(0.01)
    try:
        records: dict[str, dict[str, Any]] = cache.get(_key(public_id)) or {}
        now = time.time()
        records = {conn: r for conn, r in records.items() if now - r.get("seen", 0) < STALE_AFTER}
        change(records, now)
        if records:
            cache.set(_key(public_id), records, ENTRY_TTL)
        else:
            cache.delete(_key(public_id))
        return records
    finally:
        if acquired:
            cache.delete(lock)


def join(public_id: str, conn: str, *, agent_id: int, name: str) -> list[dict[str, Any]]:
    def change(records: dict[str, dict[str, Any]], now: float) -> None:
        records[conn] = {"agent": agent_id, "name": name, "since": now, "seen": now, "typing_until": 0}

    return summarize(_with_lock(public_id, change))


def touch(public_id: str, conn: str, *, agent_id: int, name: str, typing: bool | None = None) -> list[dict[str, Any]]:
    """A heartbeat, optionally saying whether the agent is typing now."""

    def change(records: dict[str, dict[str, Any]], now: float) -> None:
        record = records.get(conn) or {"agent": agent_id, "name": name, "since": now, "typing_until": 0}
        record["seen"] = now
        if typing is True:
            record["typing_until"] = now + TYPING_FOR
        elif typing is False:
            record["typing_until"] = 0
        records[conn] = record

    return summarize(_with_lock(public_id, change))


def leave(public_id: str, conn: str) -> list[dict[str, Any]]:
    def change(records: dict[str, dict[str, Any]], now: float) -> None:
        records.pop(conn, None)

    return summarize(_with_lock(public_id, change))


def viewers(public_id: str) -> list[dict[str, Any]]:
    records: dict[str, dict[str, Any]] = cache.get(_key(public_id)) or {}
    now = time.time()
    return summarize({c: r for c, r in records.items() if now - r.get("seen", 0) < STALE_AFTER})


def summarize(records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per agent (several tabs count once), typing if any of their tabs is typing."""
    now = time.time()
    agents: dict[int, dict[str, Any]] = {}
    for record in records.values():
        entry = agents.setdefault(
            record["agent"], {"id": record["agent"], "name": record["name"], "typing": False, "since": record["since"]}
        )
        entry["typing"] = entry["typing"] or record.get("typing_until", 0) > now
        entry["since"] = min(entry["since"], record["since"])
    return sorted(agents.values(), key=lambda a: a["since"])
