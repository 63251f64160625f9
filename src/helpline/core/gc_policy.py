"""Garbage collection of the server process, with pauses short enough for live chat.

CPython's full (generation 2) collection walks every object the collector tracks while holding the
GIL, and it runs whenever the objects promoted since the last one reach a quarter of those it walked
then. A server holding 2,000 open chats tracks about 700,000 objects (each socket's consumer, its
protocol state, group subscriptions); measured under the chat bench (bench/chat_bench.py) its full
collections took 170 ms to 2 s and ran every few seconds: every socket of the process stalled for
as long, which was the delivery p99 (250-500 ms; 28-52 ms with this policy).

The policy here:
- what exists once the application is loaded (modules, settings, URL patterns, templates) is frozen
  (`gc.freeze`): never garbage, never walked again;
- every `FREEZE_EVERY_S` what is tracked then is frozen too, so the automatic collections walk only
  what is newer than that; reference counting still frees frozen objects as soon as nothing
  refers to them (no collection runs first: an explicit one cost 50-90 ms with 2,000 sockets open);
- every `FULL_EVERY_S` the frozen objects are unfrozen and collected once, which frees reference
  cycles among them (a closed socket's consumer and its tasks); that one pause is logged with its
  length. A cycle stays in memory at most that long.

Only the process serving WebSockets uses it (`RecordServerLoop` starts it on the server's loop).
Background processes freeze what they loaded and raise the young threshold, nothing more
(`settle_worker`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger("helpline.gc")

FREEZE_EVERY_S = 5.0
# young collections every 10,000 allocations (CPython: 700): a message's short-lived objects die
# before one runs, instead of being promoted towards the old generation
YOUNG_THRESHOLD = 10_000
FULL_EVERY_S = 900.0

_task: asyncio.Task[None] | None = None


def start(
    loop: asyncio.AbstractEventLoop, *, freeze_every_s: float = FREEZE_EVERY_S, full_every_s: float = FULL_EVERY_S
) -> None:
    """Freeze what the application loaded, then keep the collector's walk short (see above)."""
    global _task
    if _task is not None and not _task.done():
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    _task = loop.create_task(_keep(freeze_every_s, full_every_s), name="helpline-gc-policy")


async def _keep(freeze_every_s: float, full_every_s: float) -> None:
    full_at = time.monotonic() + full_every_s
    while True:
        await asyncio.sleep(freeze_every_s)
        if time.monotonic() >= full_at:
            full_at = time.monotonic() + full_every_s
            full_collection()
        else:
            freeze_survivors()


def freeze_survivors() -> None:
    """Freeze what is tracked now. No collection first: with thousands of sockets open an explicit
    young collection took 50-90 ms of CPU (measured in the chat bench), itself a pause; young
    reference cycles that are garbage already wait for the next full collection instead."""
    gc.freeze()


def full_collection() -> float:
    """Unfreeze, collect everything once, freeze again; returns the pause in milliseconds."""
    started = time.perf_counter()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    collected = gc.collect()
    gc.freeze()
    pause_ms = (time.perf_counter() - started) * 1000
    log.info("full garbage collection: %d objects walked, %d freed, %.0f ms", frozen, collected, pause_ms)
    return pause_ms


def settle_worker() -> None:
    """The policy of a background process (`helpline worker`, the mail parse process) once it has
    loaded the application: what exists then is frozen and young collections run every
    YOUNG_THRESHOLD allocations. A worker keeps no growing set of long-lived objects (the server's
    sockets), so nothing is frozen later and its full collections walk only what it made since.
    Measured in bench/mail_ingest.py (one worker, 2,000 mails): the collector took 0.26 s of 6.4 s
    (353 young, 32 middle and 3 full collections, each full one walking ~130,000 start-up objects);
    0.02 s with this (8 young ones). Off with WORKER_GC_POLICY=0."""
    from django.conf import settings

    if not getattr(settings, "WORKER_GC_POLICY", True):
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
