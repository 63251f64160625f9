"""Task workers read ticket events in id order for the worker subscribers (tickets.event_feed):
each event reaches each subscriber once with two workers, a failed subscriber is retried alone,
and a batch whose worker died is taken over."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.tickets import event_feed
from helpline.tickets.event_bus import subscriber_name
from helpline.tickets.models import EventBatch, EventCursor, TicketEvent
from tests.factories import make_ticket


@pytest.fixture
def database_queue(settings: Any) -> None:
    """Tasks go through the database queue: events wait for a worker instead of running at once."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbound", "webhooks", "search"],
        }
    }


@pytest.fixture(autouse=True)
def _hooks_discovered() -> None:
    """Register the apps' subscribers before a test replaces them (they register on first use,
    into whatever list the registry holds then, and would be lost with the test's list)."""
    hooks.autodiscover()


def _events_after(position: int) -> list[int]:
    return list(TicketEvent.objects.filter(pk__gt=position).order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_events_wait_for_a_worker_and_run_once_in_order(database_queue: None, monkeypatch: Any) -> None:
    seen: list[int] = []
    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [lambda event: seen.append(event.pk)])
    start = event_feed.skip_to_latest()
    for n in range(3):
        make_ticket(subject=f"Ticket {n}")
    assert seen == []  # nothing ran in the writing thread
    stored = _events_after(start)
    assert len(stored) >= 3

    assert event_feed.drain("worker-1") == len(stored)
    assert seen == stored
    assert event_feed.drain("worker-2") == 0  # nothing twice
    assert seen == stored
    assert not EventBatch.objects.exists()
    status = event_feed.event_feed_status()
    assert status["position"] == stored[-1] and status["waiting_events"] == 0


@pytest.mark.django_db
@pytest.mark.allow_subscriber_errors
def test_a_failed_subscriber_is_retried_alone_for_the_events_it_failed(database_queue: None, monkeypatch: Any) -> None:
    good: list[int] = []
    bad_calls: list[int] = []
    broken = {"on": True}

    def steady(event: TicketEvent) -> None:
        good.append(event.pk)

    def flaky(event: TicketEvent) -> None:
        bad_calls.append(event.pk)
        if broken["on"] and event.kind == "created":
            raise RuntimeError("search index down")

    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [steady, flaky])
    start = event_feed.skip_to_latest()
    make_ticket()
    stored = _events_after(start)
    created = TicketEvent.objects.get(pk__in=stored, kind="created").pk

    event_feed.drain("worker-1")
    batch = EventBatch.objects.get()
    assert batch.state == EventBatch.State.RETRY and batch.attempts == 1
    assert batch.retry == [[subscriber_name(flaky), created]]
    assert "search index down" in batch.error
    assert event_feed.drain("worker-1") == 0  # not yet due

    broken["on"] = False
    EventBatch.objects.update(run_after=timezone.now())
    calls_before = len(bad_calls)
    event_feed.drain("worker-2")
    assert bad_calls[calls_before:] == [created]  # only the pair that failed
    assert good == stored  # the other subscriber saw each event once
    assert not EventBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.allow_subscriber_errors
def test_a_batch_failing_every_time_is_left_for_an_operator(database_queue: None, monkeypatch: Any) -> None:
    def always(event: TicketEvent) -> None:
        raise RuntimeError("broken subscriber")

    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [always])
    event_feed.skip_to_latest()
    make_ticket()
    event_feed.drain("worker-1")
    for _attempt in range(event_feed.MAX_ATTEMPTS):
        EventBatch.objects.filter(state=EventBatch.State.RETRY).update(run_after=timezone.now())
        event_feed.drain("worker-1")
    batch = EventBatch.objects.get()
    assert batch.state == EventBatch.State.FAILED and batch.attempts == event_feed.MAX_ATTEMPTS
    failed = event_feed.event_feed_status()["failed"]
    assert [f["id"] for f in failed] == [batch.pk] and "broken subscriber" in failed[0]["error"]


@pytest.mark.django_db
def test_a_batch_whose_worker_died_is_taken_over(database_queue: None, monkeypatch: Any) -> None:
    seen: list[int] = []
    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [lambda event: seen.append(event.pk)])
    start = event_feed.skip_to_latest()
    make_ticket()
    stored = _events_after(start)
    batch = event_feed._claim_new("worker-1", timezone.now())  # claimed, then the worker dies
    assert batch is not None and batch.event_ids == stored
    assert event_feed.drain("worker-2") == 0  # still within worker-1's lease

    EventBatch.objects.update(claimed_at=timezone.now() - event_feed.LEASE - dt.timedelta(seconds=1))
    assert event_feed.drain("worker-2") == len(stored)
    assert seen == stored and not EventBatch.objects.exists()


@pytest.mark.django_db
def test_an_id_missing_behind_a_later_one_is_claimed_when_it_shows_up(database_queue: None, monkeypatch: Any) -> None:
    """An event id handed out to a transaction that commits after a later one's (as on PostgreSQL
    with concurrent writers): the later event is claimed first, the earlier one on its commit."""
    seen: list[int] = []
    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [lambda event: seen.append(event.pk)])
    make_ticket()  # ids rolled back by earlier tests are behind this one
    start = event_feed.skip_to_latest()
    make_ticket()
    late = TicketEvent.objects.order_by("-pk").first()
    assert late is not None
    late_fields = {f.attname: getattr(late, f.attname) for f in TicketEvent._meta.concrete_fields}
    late.delete()  # not committed yet, as far as the readers can tell
    make_ticket()
    after = _events_after(start)
    event_feed.drain("worker-1")
    assert seen == after
    cursor = EventCursor.objects.get(name=event_feed.CURSOR)
    assert [pk for pk, _seen in cursor.gaps] == [late_fields["id"]]

    TicketEvent.objects.create(**late_fields)  # its transaction commits
    event_feed.drain("worker-1")
    assert seen == [*after, late_fields["id"]]
    assert EventCursor.objects.get(name=event_feed.CURSOR).gaps == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_each_event_once(database_queue: None, monkeypatch: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("two writers at once need PostgreSQL (the embedded profile runs one worker)")
    seen: list[int] = []
    lock = threading.Lock()

    def record(event: TicketEvent) -> None:
        with lock:
            seen.append(event.pk)

    monkeypatch.setitem(hooks._registry, TICKET_EVENT_WORKER_HOOK, [record])
    monkeypatch.setattr(event_feed, "BATCH_SIZE", 3)
    start = event_feed.skip_to_latest()
    for n in range(12):
        make_ticket(subject=f"Ticket {n}")
    stored = _events_after(start)

    def work(name: str) -> None:
        try:
            event_feed.drain(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == stored
