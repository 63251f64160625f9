"""Publishing ticket events to their two kinds of subscribers.

- `TICKET_EVENT_HOOK` subscribers run right after the commit, in the process that wrote: only
  cheap, latency-critical work belongs there (realtime pushes to agents, portal and chat).
- `TICKET_EVENT_WORKER_HOOK` subscribers (search indexing, webhooks, notification mails, …) run on
  the task workers, which read the stored events in id order (`tickets.event_feed`: a cursor and
  claimed batches, so each event reaches each subscriber once with any number of workers). A batch
  calls the subscribers for each event in order inside a `core.batching` batch, so subscribers that
  batch their work do it once per batch; `TICKET_EVENT_WORKER_BATCH_HOOK` subscribers first get all
  the batch's events at once. With immediate tasks (tests) that happens at once, right
  after the commit (at the end of a `core.batching` batch, such as a fetched chunk of mail).

A subscriber failing never undoes the write and never keeps the others from running: it is logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from helpline.core import batching, hooks
from helpline.core.events import (
    TICKET_EVENT_HOOK,
    TICKET_EVENT_WORKER_BATCH_HOOK,
    TICKET_EVENT_WORKER_HOOK,
    publish_on_commit,
)
from helpline.tickets.models import TicketEvent

log = logging.getLogger("helpline.events")
_local = threading.local()
BATCH_KEY = "tickets.worker_events"


def publish_ticket_events(events: Sequence[TicketEvent]) -> None:
    """Call inside the action's transaction: subscribers hear of the events once it commits.

    Worker subscribers: the stored events are the outbox. The task workers read them in id order
    (`tickets.event_feed`), so the write adds no statement for them. Where tasks run immediately
    (tests, `HELPLINE_TASKS=immediate`) they run right after the commit instead, in this thread."""
    for event in events:
        publish_on_commit(TICKET_EVENT_HOOK, event)
    if not events or not runs_inline():
        return
    pending: list[int] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = []
    pending.extend(event.pk for event in events)
    transaction.on_commit(_hand_over)


def runs_inline() -> bool:
    """True when tasks run immediately (no worker reads the events): worker subscribers run after commit."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def _hand_over() -> None:
    """After commit: run the worker subscribers on the events collected so far (at the batch's end
    in a batch). Ids of events whose transaction rolled back may be among them: what is gone is skipped."""
    ids: list[int] = getattr(_local, "pending", None) or []
    _local.pending = None
    if not ids or not hooks.get(TICKET_EVENT_WORKER_HOOK):
        return
    if batching.active():
        for event_id in ids:
            batching.defer(BATCH_KEY, run_subscribers, event_id)
        return
    run_subscribers(sorted(ids))


def subscriber_name(subscriber: Callable[..., object]) -> str:
    return f"{subscriber.__module__}.{subscriber.__qualname__}"


def run_subscribers(event_ids: list[int]) -> int:
    """Every worker subscriber for every event that still exists, in event order. Returns the count."""
    return run_subscribers_reporting(event_ids)[0]


def run_subscribers_reporting(
    event_ids: Iterable[int], only: set[tuple[str, int]] | None = None
) -> tuple[int, list[tuple[str, int, str]]]:
    """`run_subscribers` telling what failed: (count of events, [(subscriber, event id, error)]).
    `only`: run just these (subscriber name, event id) pairs (a retry of what failed before)."""
    subscribers = hooks.get(TICKET_EVENT_WORKER_HOOK)
    ids = sorted(set(event_ids))
    events = list(
        TicketEvent.objects.filter(pk__in=ids)
        .select_related("ticket", "message", "actor_agent", "actor_customer")
        .order_by("pk")
    )
    failed: list[tuple[str, int, str]] = []
    with batching.batch():
        # a retry (`only`) runs just the pairs that failed, one by one
        for prepare in hooks.get(TICKET_EVENT_WORKER_BATCH_HOOK) if only is None else []:
            try:
                prepare(events)
            except Exception:
                log.exception(
                    "worker batch subscriber failed events=%s subscriber=%s", len(events), prepare.__qualname__
                )
        for event in events:
            for subscriber in subscribers:
                name = subscriber_name(subscriber)
                if only is not None and (name, event.pk) not in only:
                    continue
                try:
                    subscriber(event)
                except Exception as exc:
                    log.exception("worker subscriber failed event=%s subscriber=%s", event.pk, name)
                    failed.append((name, event.pk, f"{type(exc).__name__}: {exc}"[:500]))
    return len(events), failed
