"""Background work of the tickets domain: ticket-event subscribers that run on the task worker.

Workers now read the events themselves (`tickets.event_feed`); this task remains for runs queued
before that (one task per transaction, as `event_bus` used to queue them). On a busy desk that is one task per chat message
or reply, more than one worker process can take one at a time (each task is a claim, a run and a
result, each committed). So a run takes in the other tasks of its kind waiting in the database
queue (up to `JOIN_AT_MOST`): their events run in the same batch, in event order, and those tasks
are marked done with it. A task another worker holds is skipped (row locks, SKIP LOCKED)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from helpline.tickets.event_bus import run_subscribers

log = logging.getLogger("helpline.events")
JOIN_AT_MOST = 500


@task()
def run_worker_subscribers(event_ids: list[int]) -> None:
    joined, joined_ids = _join_waiting_tasks()
    try:
        run_subscribers(sorted({*event_ids, *joined_ids}))
    except BaseException:
        _finish(joined, ready_again=True)
        raise
    _finish(joined, ready_again=False)


def _database_queue() -> Any:
    """The database task queue's model when tasks go through it, else None."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(run_worker_subscribers.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def _join_waiting_tasks() -> tuple[list[Any], list[int]]:
    """Claim the waiting tasks of this kind (oldest first): their ids, and their events' ids."""
    model = _database_queue()
    if model is None:
        return [], []
    path = run_worker_subscribers.module_path
    with transaction.atomic():
        rows = list(
            model.objects.ready()
            .filter(task_path=path, backend_name=run_worker_subscribers.backend)
            .select_for_update(skip_locked=True)
            .order_by("enqueued_at")
            .values_list("id", "args_kwargs")[:JOIN_AT_MOST]
        )
        ids = [row_id for row_id, _args in rows]
        model.objects.filter(pk__in=ids).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    events: list[int] = []
    for row_id, args_kwargs in rows:
        try:
            events += [int(pk) for pk in args_kwargs["args"][0]]
        except (KeyError, IndexError, TypeError, ValueError):
            log.error("worker subscribers task %s has unreadable arguments: %r", row_id, args_kwargs)
    return ids, events


def _finish(ids: list[Any], *, ready_again: bool) -> None:
    """Mark the joined tasks done with this run, or (the run failed) waiting again."""
    if not ids:
        return
    model = _database_queue()
    if ready_again:
        model.objects.filter(pk__in=ids).update(status=TaskResultStatus.READY, started_at=None)
    else:
        model.objects.filter(pk__in=ids).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
