"""The task workers read the ticket events for the worker subscribers (`TICKET_EVENT_WORKER_HOOK`)
in id order: the stored events are the outbox, so a write adds nothing for the workers.

- A cursor row (`EventCursor`) says how far the events are claimed. A worker claims the next events
  (up to `BATCH_SIZE`) under the cursor's row lock, records them as a batch (`EventBatch`) and moves
  the cursor, in one short transaction: with any number of workers each event is in one batch.
- Ids are handed out before commit, so a later id can be visible while an earlier one is not yet
  (its transaction still open) or never will be (rolled back). Such missing ids are kept on the
  cursor as gaps and looked for again on every claim; one that shows up is claimed then, one still
  missing after `GAP_GRACE` is dropped (an open transaction holding it that long would be lost: the
  actions' transactions last milliseconds).
- The worker then runs the subscribers on the batch's events, in order, in one `core.batching`
  batch, and deletes the batch. A subscriber that raises leaves the batch with the (subscriber,
  event) pairs that failed: they alone are run again after a growing delay, up to `MAX_ATTEMPTS`,
  after which the batch stays `failed` with its error for an operator (`event_feed_status()`).
- A worker that dies holding a batch leaves it `claimed`; after `LEASE` another worker takes it
  over and runs it whole (subscribers see those events again: they are idempotent per event, as
  they were for a task run twice).

Every `helpline worker` (and the task worker embedded in `helpline run`) runs `FeedReader`, a thread
that claims and runs batches while there are events and otherwise looks again every `POLL_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from helpline.core.worker_thread import WorkerThread
from helpline.tickets.event_bus import run_subscribers_reporting
from helpline.tickets.models import EventBatch, EventCursor, TicketEvent

log = logging.getLogger("helpline.events")

CURSOR = "worker"
BATCH_SIZE = 500
POLL_SECONDS = 0.2
GAP_GRACE = dt.timedelta(minutes=10)
MAX_GAPS = 10_000
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8
RETRY_BASE = dt.timedelta(seconds=10)


def skip_to_latest() -> int:
    """Place the cursor after the events stored so far, which the workers will then never read (a
    bulk import's: their worker work is done by other means). Returns the position."""
    latest = TicketEvent.objects.aggregate(latest=Max("id"))["latest"] or 0
    EventCursor.objects.update_or_create(name=CURSOR, defaults={"position": latest, "gaps": []})
    return int(latest)


def _nothing_new() -> bool:
    """A look without the cursor's lock (an idle worker's every poll): no event after the cursor and
    no gap to look for, so no write transaction is needed (on SQLite one would block the writers)."""
    cursor = EventCursor.objects.filter(name=CURSOR).values_list("position", "gaps").first()
    if cursor is None:
        return False
    position, gaps = cursor
    return not gaps and not TicketEvent.objects.filter(pk__gt=position).exists()


def _claim_new(worker_id: str, now: dt.datetime) -> EventBatch | None:
    if _nothing_new():
        return None
    with transaction.atomic():
        cursor = EventCursor.objects.select_for_update().filter(name=CURSOR).first()
        if cursor is None:  # made by the migration (after the events then stored); here after a flush
            EventCursor.objects.get_or_create(name=CURSOR)
            cursor = EventCursor.objects.select_for_update().get(name=CURSOR)
        ids = list(
            TicketEvent.objects.filter(pk__gt=cursor.position).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]
        )
        gaps = {int(pk): float(seen) for pk, seen in cursor.gaps}
        found = set(TicketEvent.objects.filter(pk__in=list(gaps)).values_list("pk", flat=True)) if gaps else set()
        for pk in found:
            del gaps[pk]
        stamp = now.timestamp()
        if ids:
            present = set(ids)
            gaps.update({pk: stamp for pk in range(cursor.position + 1, ids[-1]) if pk not in present})
        expired = [pk for pk, seen in gaps.items() if stamp - seen > GAP_GRACE.total_seconds()]
        for pk in expired:
            del gaps[pk]
        if expired:
            log.info("event ids never committed, no longer looked for: %s", sorted(expired)[:20])
        if len(gaps) > MAX_GAPS:  # a huge rollback: keep looking for the newest ones only
            gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
        claimed = sorted({*ids, *found})
        changed = bool(ids) or bool(found) or bool(expired)
        if ids:
            cursor.position = ids[-1]
        if changed:
            cursor.gaps = sorted([pk, seen] for pk, seen in gaps.items())
            cursor.save(update_fields=["position", "gaps", "updated_at"])
        if not claimed:
            return None
        return EventBatch.objects.create(cursor=CURSOR, event_ids=claimed, claimed_by=worker_id[:64], claimed_at=now)


def _claim_due(worker_id: str, now: dt.datetime) -> EventBatch | None:
    """A batch waiting to retry whose moment has come, or one whose worker died (lease run out)."""
    due = (
        EventBatch.objects.filter(
            Q(state=EventBatch.State.RETRY, run_after__lte=now)
            | Q(state=EventBatch.State.CLAIMED, claimed_at__lt=now - LEASE)
        )
        .order_by("id")
        .values_list("id", "state", "claimed_at")
        .first()
    )
    if due is None:
        return None
    pk, state, claimed_at = due
    taken = EventBatch.objects.filter(pk=pk, state=state, claimed_at=claimed_at).update(
        state=EventBatch.State.CLAIMED, claimed_by=worker_id[:64], claimed_at=now
    )
    if not taken:
        return None  # another worker was quicker
    if state == EventBatch.State.CLAIMED:
        log.warning("event batch %s taken over from a worker that did not finish it", pk)
    return EventBatch.objects.get(pk=pk)


def _run(batch: EventBatch, now: dt.datetime) -> int:
    only = {(str(name), int(pk)) for name, pk in batch.retry} if batch.retry else None
    try:
        count, failed = run_subscribers_reporting(batch.event_ids, only)
    except Exception as exc:  # the database went away: the whole batch again, later
        log.exception("event batch %s failed", batch.pk)
        _retry_later(batch, None, f"{type(exc).__name__}: {exc}")
        return 0
    if not failed:
        batch.delete()
        return count
    _retry_later(batch, [[name, pk] for name, pk, _error in failed], "\n".join(e for _n, _p, e in failed[:20]))
    return count


def _retry_later(batch: EventBatch, retry: list[list[Any]] | None, error: str) -> None:
    batch.attempts += 1
    if retry is not None:
        batch.retry = retry
    batch.error = error[:5000]
    if batch.attempts >= MAX_ATTEMPTS:
        batch.state = EventBatch.State.FAILED
        log.error("event batch %s failed %s times; left for an operator: %s", batch.pk, batch.attempts, error[:300])
    else:
        batch.state = EventBatch.State.RETRY
        batch.run_after = timezone.now() + RETRY_BASE * 2 ** (batch.attempts - 1)
    batch.save(update_fields=["attempts", "retry", "error", "state", "run_after"])


def work_once(worker_id: str = "") -> int:
    """Claim one batch (a due retry first, else the next events) and run it. Returns the events run
    (0: nothing was waiting)."""
    now = timezone.now()
    batch = _claim_due(worker_id, now) or _claim_new(worker_id, now)
    if batch is None:
        return 0
    return _run(batch, now) or len(batch.event_ids)


def drain(worker_id: str = "", *, limit: int = 1000) -> int:
    """Run batches until no event waits (or `limit` batches). Returns the events run."""
    total = 0
    for _n in range(limit):
        done = work_once(worker_id)
        if not done:
            break
        total += done
    return total


def event_feed_status() -> dict[str, Any]:
    """For operators: the cursor, the events not yet claimed, batches running, retrying and failed."""
    cursor = EventCursor.objects.filter(name=CURSOR).first()
    position = cursor.position if cursor else 0
    batches = EventBatch.objects.filter(cursor=CURSOR)
    return {
        "position": position,
        "gaps": len(cursor.gaps) if cursor else 0,
        "waiting_events": TicketEvent.objects.filter(pk__gt=position).count(),
        "batches": {row["state"]: row["n"] for row in batches.values("state").annotate(n=Count("id"))},
        "failed": list(
            EventBatch.objects.filter(cursor=CURSOR, state=EventBatch.State.FAILED).values(
                "id", "attempts", "error", "claimed_at"
            )[:20]
        ),
    }


class FeedReader(WorkerThread):
    """The thread of a task worker that reads the ticket events: until `stop()` (after the batch in
    hand: its events are run, the batch is finished)."""

    thread_name = "helpline-event-feed"

    def __init__(self, worker_id: str, *, poll: float = POLL_SECONDS):
        super().__init__(worker_id, pause=poll)

    def step(self) -> bool:
        return bool(work_once(self.worker_id))
