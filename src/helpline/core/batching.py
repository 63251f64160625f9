"""Batches of writes (a fetched chunk of mail, an import): subscribers that would do the same
after-commit work once per event (re-index a ticket, detect a message's language) collect the
ids instead and do the work once, for all of them, when the outermost batch ends.

    with batching.batch():
        for raw in chunk:
            receive_message(...)          # each in its own transaction, as before

    # in a subscriber:
    if batching.defer("search.tickets", index_collected_tickets, ticket_id):
        return                            # inside a batch: done at its end
    index_ticket(ticket_id)               # outside: now, as before

The work runs in the order it was first deferred, outside any transaction, each part guarded:
a failure is logged and never keeps the other parts from running.

Reads that every message of a batch repeats (the mailboxes' addresses, active webhook endpoints,
SLA policies, the bot's settings) are made once per batch with `memo(key, read)`; a change made
while a batch runs is seen by the next batch (a fetched chunk takes a fraction of a second)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("helpline.batching")
_local = threading.local()


def active() -> bool:
    return getattr(_local, "depth", 0) > 0


def defer(key: str, work: Callable[[list[Any]], object], item: Hashable, *, order: int = 0) -> bool:
    """Inside a batch: remember `item` for `work(items)` at the batch's end and return True.
    Outside a batch: return False (the caller does the work now). Lower `order` runs first."""
    if not active():
        return False
    pending: dict[str, tuple[int, Callable[[list[Any]], object], dict[Hashable, None]]] = _local.pending
    if key not in pending:
        pending[key] = (order, work, {})
    pending[key][2][item] = None
    return True


def memo(key: str, read: Callable[[], T]) -> T:
    """Inside a batch: `read()` once per batch, its result kept until the batch ends.
    Outside a batch: `read()` now, every time."""
    if not active():
        return read()
    cache: dict[str, Any] = _local.memo
    if key not in cache:
        cache[key] = read()
    return cache[key]


def forget(key: str) -> None:
    """Drop one memo of the current batch (after a write that changes what it read)."""
    if active():
        _local.memo.pop(key, None)


def flush() -> None:
    """Do the deferred work now; what that work defers in turn is done too, before returning."""
    pending = getattr(_local, "pending", None)
    _local.depth = getattr(_local, "depth", 0) + 1  # work deferred while flushing joins this flush
    try:
        while pending:
            key = min(pending, key=lambda k: pending[k][0])
            _order, work, items = pending.pop(key)
            try:
                work(list(items))
            except Exception:
                log.exception("batched work failed key=%s items=%s", key, len(items))
    finally:
        _local.depth -= 1


@contextmanager
def batch() -> Iterator[None]:
    if not active():
        _local.pending = {}
        _local.memo = {}
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        if _local.depth == 1:
            try:
                flush()
            finally:
                _local.memo = {}
        _local.depth -= 1
