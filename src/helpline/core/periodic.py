"""Periodic jobs without an external cron: every task worker (the embedded one in `helpline run`
and each `helpline worker`) runs a scheduler thread that, every few seconds, enqueues the jobs
whose slot has come.

Apps declare their jobs in their hooks module:

    @hooks.register(PERIODIC_JOBS_HOOK)
    def periodic_jobs() -> list[PeriodicJob]:
        return [PeriodicJob("workflow.sweep", "helpline.workflow.tasks.sweep_due_work", dt.timedelta(hours=1))]

Each job has one stored row (`PeriodicSlot`) holding its next moment. A worker claims a slot with
`UPDATE … SET next_run_at = <following slot> WHERE name = … AND next_run_at <= now` and enqueues the
task in the same transaction: with several workers ticking at once exactly one claim succeeds (the
others see the moved slot), and with the database queue the claim and the stored task commit
together, so a run is neither lost nor doubled by a crash between the two. Slots are aligned to
the interval (on the hour, for an hourly job), so restarts do not drift them; a worker that was
down for a while enqueues one catch-up run, not one per missed slot.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from helpline.core import hooks
from helpline.core.worker_thread import WorkerThread

log = logging.getLogger("helpline.periodic")

PERIODIC_JOBS_HOOK = "periodic_jobs"
TICK_SECONDS = 15.0
EPOCH = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)  # a Monday: weekly slots start on Mondays


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str  # "package.module.task_name" of a django_tasks @task taking no arguments
    every: dt.timedelta

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        """The first slot boundary after `now` (multiples of `every` since a fixed Monday, UTC)."""
        steps = (now - EPOCH) // self.every + 1
        return EPOCH + steps * self.every

    def task(self) -> Any:
        module, name = self.task_path.rsplit(".", 1)
        return getattr(import_module(module), name)


def registered_jobs() -> list[PeriodicJob]:
    jobs: dict[str, PeriodicJob] = {}
    for provider in hooks.get(PERIODIC_JOBS_HOOK):
        for job in provider():
            jobs[job.name] = job
    return sorted(jobs.values(), key=lambda j: j.name)


def enqueue_due_jobs(now: dt.datetime | None = None, *, worker_id: str = "") -> list[str]:
    """Enqueue every registered job whose slot has come and that no other worker claimed first.
    A new job is due at once. Returns the names this call enqueued."""
    from helpline.core.models import PeriodicSlot

    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        try:
            with transaction.atomic():
                PeriodicSlot.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        except IntegrityError:
            pass  # another worker created it at the same moment
        try:
            with transaction.atomic():
                claimed = PeriodicSlot.objects.filter(Q(next_run_at__lte=now), name=job.name).update(
                    next_run_at=job.next_slot(now), last_enqueued_at=now, last_enqueued_by=worker_id[:64]
                )
                if claimed:
                    job.task().enqueue()
        except Exception:
            log.exception("periodic job %s could not be enqueued", job.name)
            continue
        if claimed:
            log.info("periodic job %s enqueued by %s", job.name, worker_id or "this process")
            enqueued.append(job.name)
    return enqueued


class Scheduler(WorkerThread):
    """The scheduler thread of one task worker: ticks until `stop()`."""

    thread_name = "helpline-periodic"

    def __init__(self, worker_id: str, *, interval: float = TICK_SECONDS):
        super().__init__(worker_id, pause=interval)

    def step(self) -> bool:
        enqueue_due_jobs(worker_id=self.worker_id)
        return False
