"""Periodic jobs without cron: stored slots, claimed once per slot however many workers tick, and
the real worker threads (`helpline run`'s embedded worker, two at once) running the hourly workflow
sweep that sends a due greeting exactly once."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from helpline.core import periodic
from helpline.core.actors import Actor
from helpline.core.models import PeriodicSlot
from helpline.workflow import greetings
from helpline.workflow.models import GreetingSent
from tests.factories import make_agent, make_customer
from tests.workflow.conftest import in_two_workers

UTC = dt.UTC
SWEEP = "helpline.workflow.tasks.sweep_due_work"
DB_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "outbound", "webhooks", "search"]}
}


def _queued_sweeps() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=SWEEP).count()


def test_slots_are_aligned_to_the_interval() -> None:
    hourly = periodic.PeriodicJob("x", SWEEP, dt.timedelta(hours=1))
    assert hourly.next_slot(dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)) == dt.datetime(2025, 5, 1, 11, 0, tzinfo=UTC)
    assert hourly.next_slot(dt.datetime(2025, 5, 1, 10, 59, 59, tzinfo=UTC)) == dt.datetime(
        2025, 5, 1, 11, 0, tzinfo=UTC
    )
    weekly = periodic.PeriodicJob("w", SWEEP, dt.timedelta(days=7))
    assert weekly.next_slot(dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)).weekday() == 0  # Mondays


def test_the_workflow_sweep_is_registered_hourly() -> None:
    jobs = {job.name: job for job in periodic.registered_jobs()}
    assert jobs["workflow.sweep"].task_path == SWEEP and jobs["workflow.sweep"].every == dt.timedelta(hours=1)
    assert callable(jobs["workflow.sweep"].task().enqueue)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_and_a_long_pause_catches_up_once(settings: Any) -> None:
    settings.TASKS = DB_QUEUE
    start = dt.datetime(2025, 5, 1, 10, 20, tzinfo=UTC)
    assert "workflow.sweep" in periodic.enqueue_due_jobs(start)  # a new job is due at once
    assert "workflow.sweep" not in periodic.enqueue_due_jobs(start + dt.timedelta(minutes=30))
    assert PeriodicSlot.objects.get(name="workflow.sweep").next_run_at == dt.datetime(2025, 5, 1, 11, tzinfo=UTC)
    assert "workflow.sweep" in periodic.enqueue_due_jobs(dt.datetime(2025, 5, 1, 11, 0, 5, tzinfo=UTC))
    # the workers were down for five hours: one catch-up run, then the next slot
    assert "workflow.sweep" in periodic.enqueue_due_jobs(dt.datetime(2025, 5, 1, 16, 30, tzinfo=UTC))
    assert "workflow.sweep" not in periodic.enqueue_due_jobs(dt.datetime(2025, 5, 1, 16, 59, tzinfo=UTC))
    assert _queued_sweeps() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_enqueue_each_slot_once(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("claiming under real concurrency is checked on PostgreSQL")
    settings.TASKS = DB_QUEUE
    at = dt.datetime(2025, 5, 1, 10, 0, 1, tzinfo=UTC)
    for hour in range(6):
        now = at + dt.timedelta(hours=hour)
        results = in_two_workers(lambda now=now: periodic.enqueue_due_jobs(now))
        # every job enqueued by exactly one of the two (which one may differ from job to job)
        assert sorted(name for r in results for name in r) == [job.name for job in periodic.registered_jobs()]
    assert _queued_sweeps() == 6


def _zone_after_nine() -> str:
    """A time zone where it is now between 09:00 and 23:00, so a greeting dated today is due."""
    for name in (
        "Pacific/Kiritimati",
        "Asia/Tokyo",
        "Asia/Tbilisi",
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "Pacific/Honolulu",
        "Pacific/Pago_Pago",
    ):
        local = dt.datetime.now(zoneinfo.ZoneInfo(name))
        if 9 <= local.hour < 23:
            return name
    raise AssertionError("every hour of the day is covered by one of the zones")


@pytest.mark.django_db(transaction=True)
def test_two_real_workers_run_the_hourly_sweep_once_without_cron(settings: Any) -> None:
    """Two embedded workers (task thread + scheduler thread each, as `helpline run` starts them):
    the sweep is enqueued once, run once by one of them, and today's greeting goes out once."""
    if connection.vendor != "postgresql":
        pytest.skip("two worker threads on one database are checked on PostgreSQL")
    from django_tasks_db.models import DBTaskResult

    from helpline.cli import _start_embedded_worker, stop_embedded_worker

    settings.TASKS = DB_QUEUE
    greetings.save_follow_up_settings(
        actor=Actor.of_agent(make_agent("admin", username="boss")),
        call_confirmation_enabled=False,
        call_confirmation_templates={},
        call_confirmation_prefer_sms=False,
        greeting_enabled=True,
        greeting_attribute="birthday",
        greeting_templates={"en": "Happy birthday!"},
    )
    zone = _zone_after_nine()
    customer = make_customer("dawit@example.com", name="Dawit", time_zone=zone)
    greetings.set_greeting_opt_in(
        actor=Actor.system(), customer=customer, opted_in=True, date=dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    )
    mail.outbox.clear()
    workers = [_start_embedded_worker(), _start_embedded_worker()]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = DBTaskResult.objects.filter(task_path=SWEEP, status="SUCCESSFUL").exists()
            if done and GreetingSent.objects.exists():
                break
            time.sleep(0.2)
        time.sleep(1.5)  # give a second (wrong) run the time to show up
    finally:
        for worker in workers:
            stop_embedded_worker(worker, timeout=5)
    sweeps = DBTaskResult.objects.filter(task_path=SWEEP)
    assert [s.status for s in sweeps] == ["SUCCESSFUL"]
    assert GreetingSent.objects.filter(customer=customer).count() == 1
    assert [m.to for m in mail.outbox] == [["dawit@example.com"]]
    slot = PeriodicSlot.objects.get(name="workflow.sweep")
    assert slot.last_enqueued_by in {w.worker_id for w in workers}
