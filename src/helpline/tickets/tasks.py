"""Background work of the tickets domain: ticket-event subscribers that run on the task worker."""

from __future__ import annotations

from django_tasks import task

from helpline.tickets.event_bus import run_subscribers


@task()
def run_worker_subscribers(event_ids: list[int]) -> None:
    run_subscribers(event_ids)
