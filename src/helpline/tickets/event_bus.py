"""Publishing ticket events to their two kinds of subscribers.

- `TICKET_EVENT_HOOK` subscribers run right after the commit, in the process that wrote: only
  cheap, latency-critical work belongs there (realtime pushes to agents, portal and chat).
- `TICKET_EVENT_WORKER_HOOK` subscribers (search indexing, webhooks, notification mails, …) run on
  the task worker: the events of one transaction (or of one `core.batching` batch, such as a
  fetched chunk of mail) go out as one task, which calls the subscribers for each event in order
  inside a batch, so subscribers that batch their work do it once per task. With immediate tasks
  (tests) that happens at once, right after the commit.

A subscriber failing never undoes the write and never keeps the others from running: it is logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from django.db import transaction

from helpline.core import batching, hooks
from helpline.core.events import TICKET_EVENT_HOOK, TICKET_EVENT_WORKER_HOOK, publish_on_commit
from helpline.tickets.models import TicketEvent

log = logging.getLogger("helpline.events")
_local = threading.local()
BATCH_KEY = "tickets.worker_events"


def publish_ticket_events(events: Sequence[TicketEvent]) -> None:
    """Call inside the action's transaction: subscribers hear of the events once it commits."""
    for event in events:
        publish_on_commit(TICKET_EVENT_HOOK, event)
    if not events:
        return
    pending: list[int] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = []
    pending.extend(event.pk for event in events)
    transaction.on_commit(_hand_over)


def _hand_over() -> None:
    """After commit: the events collected so far go to the worker (at the batch's end in a batch).
    Ids of events whose transaction rolled back may be among them: the task skips what is gone."""
    ids: list[int] = getattr(_local, "pending", None) or []
    _local.pending = None
    if not ids or not hooks.get(TICKET_EVENT_WORKER_HOOK):
        return
    if batching.active():
        for event_id in ids:
            batching.defer(BATCH_KEY, enqueue_for_worker, event_id)
        return
    enqueue_for_worker(ids)


def enqueue_for_worker(event_ids: list[int]) -> None:
    from helpline.tickets.tasks import run_worker_subscribers

    try:
        run_worker_subscribers.enqueue(sorted(event_ids))
    except Exception:  # the queue is down: do the work here rather than lose it
        log.exception("could not queue %s ticket events for the worker; running them here", len(event_ids))
        run_subscribers(sorted(event_ids))


def run_subscribers(event_ids: list[int]) -> int:
    """Every worker subscriber for every event that still exists, in event order. Returns the count."""
    subscribers = hooks.get(TICKET_EVENT_WORKER_HOOK)
    events = list(
        TicketEvent.objects.filter(pk__in=event_ids)
        .select_related("ticket", "message", "actor_agent", "actor_customer")
        .order_by("pk")
    )
    with batching.batch():
        for event in events:
            for subscriber in subscribers:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("worker subscriber failed event=%s subscriber=%s", event.pk, subscriber.__qualname__)
    return len(events)
