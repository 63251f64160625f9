"""The event bus: actions publish after commit; subscribers register with the `ticket_event` hook.

A subscriber failing never undoes or blocks the write: it is logged and the others still run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from helpline.core import hooks

log = logging.getLogger("helpline.events")

TICKET_EVENT_HOOK = "ticket_event"
"""Right after commit, in the writing process: cheap, latency-critical work (realtime pushes)."""
TICKET_EVENT_WORKER_HOOK = "ticket_event_worker"
"""On the task worker, batched per transaction (see `helpline.tickets.event_bus`)."""
TICKET_EVENT_WORKER_BATCH_HOOK = "ticket_event_worker_batch"
"""On the task worker, once per batch before the events go to `TICKET_EVENT_WORKER_HOOK` one by one:
subscribers that can do their work for all the batch's events at once (a few statements instead of
some per event) do it here and remember, in the batch (`core.batching.memo`), which events need
nothing more."""
CUSTOMER_CHANGED_HOOK = "customer_changed"


def publish_on_commit(hook_name: str, payload: Any) -> None:
    def _deliver() -> None:
        for subscriber in hooks.get(hook_name):
            try:
                subscriber(payload)
            except Exception:
                log.exception("subscriber failed hook=%s subscriber=%s", hook_name, subscriber.__qualname__)

    transaction.on_commit(_deliver)
