"""Signed webhooks from rules; scheduled work done exactly once with two workers sweeping at once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.db import connection

from helpline.core.actors import Actor
from helpline.tickets import event_feed
from helpline.tickets.models import Message, MessageKind
from helpline.webhooks.signing import verify_signature
from helpline.workflow import rule_actions, sla_actions, sweep
from helpline.workflow.models import RuleRun, SlaClock
from tests.factories import make_ticket
from tests.workflow.conftest import in_two_workers

SYSTEM = Actor.system()


@pytest.fixture
def receiver() -> Any:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_rule_webhook_is_hmac_signed(run: Any, receiver: Any) -> None:
    url, received = receiver
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Tell the CRM",
        trigger="ticket_created",
        actions=[{"type": "webhook", "url": url, "secret": "whsec_test"}],
        active=True,
    )
    stored = rule_actions.Rule.objects.get(name="Tell the CRM").actions[0]
    assert "whsec_test" not in json.dumps(stored)  # the secret is encrypted at rest
    ticket = run(make_ticket, subject="Invoice missing")
    assert len(received) == 1
    headers, body = received[0]
    payload = json.loads(body)
    assert payload["rule"] == "Tell the CRM" and payload["ticket"]["number"] == ticket.number
    assert verify_signature(
        "whsec_test",
        timestamp=headers["X-Helpline-Timestamp"],
        body=body,
        signature=headers["X-Helpline-Signature"],
    )
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_do_each_breach_once(django_capture_on_commit_callbacks: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row claiming under real concurrency is checked on PostgreSQL")
    sla_actions.save_policy(actor=SYSTEM, name="Fast", first_response_minutes=5, business_hours=False)
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Tag breaches",
        trigger="sla_breached",
        actions=[{"type": "add_tags", "tags": "breached"}],
        active=True,
    )
    for n in range(40):
        with django_capture_on_commit_callbacks(execute=True):
            make_ticket(subject=f"T{n}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    totals = in_two_workers(lambda: sweep.run_sweep(later))
    assert sum(t["breaches"] for t in totals) == 40
    assert sum(t["warnings"] for t in totals) == 40
    assert SlaClock.objects.filter(kind="first_response", breached_at__isnull=False).count() == 40
    assert RuleRun.objects.filter(rule__name="Tag breaches").count() == 40


@pytest.mark.django_db
def test_due_moments_are_stored_as_delayed_tasks(run: Any, settings: Any) -> None:
    """With the database queue, the next warning or breach ahead is a stored task with run_after
    (it survives restarts; the sweep it runs is idempotent). The sweeps form a chain: a ticket whose
    moments come after a waiting sweep adds no task, and a sweep once run stores the next moment."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbound", "webhooks", "search"],
        }
    }
    sla_actions.save_policy(
        actor=SYSTEM, name="Hour", first_response_minutes=60, business_hours=False, warn_before_minutes=10
    )
    ticket = run(make_ticket)
    # The ticket's events wait for a worker; the worker's run of them keeps the SLA clocks and
    # stores the earliest moment ahead as a delayed task.
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    run(event_feed.drain, "worker-1")
    clock = SlaClock.objects.get(ticket=ticket, kind="first_response")
    queued = DBTaskResult.objects.filter(task_path="helpline.workflow.tasks.sweep_due_work")
    assert list(queued.values_list("run_after", flat=True)) == [clock.warn_at]

    later = run(make_ticket)  # its moments come after the waiting sweep: the chain reaches them
    run(event_feed.drain, "worker-1")
    later_clock = SlaClock.objects.get(ticket=later, kind="first_response")
    assert later_clock.warn_at > clock.warn_at
    assert queued.count() == 1

    queued.update(status=TaskResultStatus.SUCCESSFUL)  # the worker ran it at the warning
    counts = run(sweep.run_sweep, clock.warn_at, reschedule=True)
    assert counts["warnings"] == 1
    waiting = queued.filter(status=TaskResultStatus.READY)
    assert list(waiting.values_list("run_after", flat=True)) == [min(later_clock.warn_at, clock.due_at)]


@pytest.mark.django_db
def test_an_earlier_moment_than_the_waiting_sweep_is_stored(run: Any, settings: Any) -> None:
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from helpline.workflow import scheduling

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    soon = timezone.now() + dt.timedelta(hours=1)
    run(scheduling.schedule_sweep, soon + dt.timedelta(hours=1), unless_waiting=True)
    run(scheduling.schedule_sweep, soon + dt.timedelta(hours=2), unless_waiting=True)  # the first one reaches it
    run(scheduling.schedule_sweep, soon, unless_waiting=True)  # earlier: stored
    ready = DBTaskResult.objects.filter(task_path=scheduling.SWEEP_TASK, status=TaskResultStatus.READY)
    assert sorted(ready.values_list("run_after", flat=True)) == [soon, soon + dt.timedelta(hours=1)]
