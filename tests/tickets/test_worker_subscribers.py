"""Ticket events on the task worker: a run takes in the other runs waiting in the database queue."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.tickets.models import TicketEvent
from helpline.tickets.tasks import run_worker_subscribers
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbound", "webhooks", "search"],
        }
    }


def test_a_run_takes_in_the_waiting_runs_in_event_order(database_queue: None, monkeypatch: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    seen: list[int] = []
    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [lambda event: seen.append(event.pk)])
    tickets = [make_ticket(subject=f"Ticket {n}") for n in range(3)]
    ids = [list(TicketEvent.objects.filter(ticket=t).values_list("pk", flat=True)) for t in tickets]
    for event_ids in reversed(ids):  # queued out of order
        run_worker_subscribers.enqueue(event_ids)
    queued = DBTaskResult.objects.filter(task_path=run_worker_subscribers.module_path)
    first = queued.order_by("enqueued_at").first()
    assert first is not None
    first.claim("worker-1")  # as the worker takes a task: the others are still waiting
    run_worker_subscribers.call(*first.args_kwargs["args"])
    first.set_successful(None)

    assert seen == sorted(pk for event_ids in ids for pk in event_ids)
    assert set(queued.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_failed_run_puts_the_runs_it_took_in_back_in_the_queue(database_queue: None, monkeypatch: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    ids = [list(TicketEvent.objects.filter(ticket=make_ticket()).values_list("pk", flat=True)) for _n in range(2)]
    for event_ids in ids:
        run_worker_subscribers.enqueue(event_ids)
    queued = DBTaskResult.objects.filter(task_path=run_worker_subscribers.module_path)
    first = queued.order_by("enqueued_at").first()
    assert first is not None
    first.claim("worker-1")

    def broken(event_ids: list[int]) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr("helpline.tickets.tasks.run_subscribers", broken)
    with pytest.raises(RuntimeError):
        run_worker_subscribers.call(*first.args_kwargs["args"])
    assert queued.exclude(pk=first.pk).get().status == "READY"
