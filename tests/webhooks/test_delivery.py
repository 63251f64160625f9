"""Deliveries against a real local HTTP server: signing, the first attempt failing, backoff, giving up."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.webhooks import actions, delivery
from helpline.webhooks.actions import BACKOFF_SECONDS, MAX_ATTEMPTS
from helpline.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.factories import make_agent, make_customer, make_ticket
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "outbound", "webhooks", "search"],
    }
}


def make_endpoint(receiver: Receiver, **kwargs: Any) -> WebhookEndpoint:
    admin = make_agent(Role.ADMIN)
    endpoint, secret = actions.create_endpoint(actor=Actor.of_agent(admin), url=receiver.url, **kwargs)
    receiver.secrets.add(secret)
    return endpoint


def test_signed_delivery_fails_first_then_succeeds_on_retry(
    receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = make_endpoint(receiver, event_kinds=["created"])
    receiver.statuses = [503]
    customer = make_customer("maria@example.com", name="Maria")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer, subject="Refund please")

    # The event subscriber queued one delivery (only `created` is subscribed) and the immediate
    # task backend attempted it at once: the receiver answered 503.
    sent = WebhookDelivery.objects.get()
    assert (sent.endpoint_id, sent.event_kind, sent.ticket_number) == (endpoint.pk, "created", ticket.number)
    assert (sent.status, sent.attempts, sent.last_status_code) == (DeliveryStatus.PENDING, 1, 503)
    assert sent.last_error.startswith("HTTP 503")
    assert sent.next_attempt_at == sent.last_attempt_at + dt.timedelta(seconds=30)

    first = receiver.requests[0]
    assert first.signature_valid
    assert first.headers["X-Helpline-Event"] == "created"
    assert first.headers["X-Helpline-Delivery"] == str(sent.pk)
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Helpline-Signature"].startswith("sha256=")
    payload = first.json
    assert payload["event"] == "created" and payload["id"] == sent.event_id
    assert payload["ticket"]["number"] == ticket.number
    assert payload["ticket"]["subject"] == "Refund please"
    assert payload["ticket"]["requester"] == {
        "public_id": customer.public_id,
        "name": "Maria",
        "email": "maria@example.com",
    }
    assert payload["actor"]["type"] == "customer"

    # The retry step, driven explicitly (the immediate backend cannot run a task later).
    assert delivery.deliver(sent.pk) == DeliveryStatus.SUCCEEDED
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_status_code, sent.last_error) == ("succeeded", 2, 200, "")
    assert sent.next_attempt_at is None
    assert len(receiver.requests) == 2
    second = receiver.requests[1]
    assert second.signature_valid and second.body == first.body
    assert second.headers["X-Helpline-Delivery"] == first.headers["X-Helpline-Delivery"]
    # A delivered delivery is not sent again.
    assert delivery.deliver(sent.pk) == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 2


def test_backoff_schedule_then_failed(receiver: Receiver) -> None:
    endpoint = make_endpoint(receiver)
    receiver.statuses = [500] * 10
    queued = actions.queue_deliveries(
        endpoints=[endpoint], event_id=None, ticket_number=None, kind="created", payload={"hello": "world"}
    )[0]
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        status = delivery.deliver(queued.pk)
        queued.refresh_from_db()
        assert queued.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert status == DeliveryStatus.PENDING
            waits.append((queued.next_attempt_at - queued.last_attempt_at).total_seconds())
        else:
            assert status == DeliveryStatus.FAILED
            assert queued.next_attempt_at is None
    assert waits == [30, 120, 600, 3600, 21600] == list(BACKOFF_SECONDS)
    assert len(receiver.requests) == MAX_ATTEMPTS == 6
    assert all(r.signature_valid for r in receiver.requests)
    assert queued.last_status_code == 500
    assert delivery.deliver(queued.pk) == DeliveryStatus.FAILED  # no seventh attempt
    assert len(receiver.requests) == 6


@override_settings(TASKS=DUMMY_TASKS)
def test_queued_on_the_webhooks_queue_and_retries_reenqueued_with_run_after(
    receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import task_backends

    endpoint = make_endpoint(receiver)
    receiver.statuses = [502]
    backend = task_backends["default"]
    with django_capture_on_commit_callbacks(execute=True):
        queued = actions.queue_deliveries(
            endpoints=[endpoint], event_id=None, ticket_number=None, kind="status_changed", payload={}
        )[0]
    (first,) = backend.results  # enqueued after commit, to run now
    assert (first.task.queue_name, first.task.run_after, first.args) == ("webhooks", None, [queued.pk])
    assert receiver.requests == []  # the dummy backend runs nothing

    delivery.deliver(queued.pk)  # what the worker does: the receiver answers 502
    queued.refresh_from_db()
    retry = backend.results[1]
    assert retry.task.queue_name == "webhooks"
    assert retry.task.run_after == queued.next_attempt_at == queued.last_attempt_at + dt.timedelta(seconds=30)
    assert retry.args == [queued.pk]
    assert retry.task.module_path == "helpline.webhooks.tasks.deliver_webhook"


def test_connection_errors_and_timeouts_are_retried(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = make_endpoint(receiver)
    endpoint.url = "http://127.0.0.1:1/closed"  # nothing listens on port 1
    endpoint.save(update_fields=["url"])
    refused = actions.queue_deliveries(endpoints=[endpoint], event_id=None, ticket_number=None, kind="x", payload={})
    assert delivery.deliver(refused[0].pk) == DeliveryStatus.PENDING
    refused[0].refresh_from_db()
    assert refused[0].last_status_code is None and "ConnectError" in refused[0].last_error

    slow = make_endpoint(receiver)
    receiver.delay_seconds = 1.0
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.2)
    queued = actions.queue_deliveries(endpoints=[slow], event_id=None, ticket_number=None, kind="x", payload={})
    assert delivery.deliver(queued[0].pk) == DeliveryStatus.PENDING
    queued[0].refresh_from_db()
    assert "Timeout" in queued[0].last_error and queued[0].attempts == 1


def test_only_active_matching_endpoints_get_deliveries(
    receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    everything = make_endpoint(receiver)
    only_status = make_endpoint(receiver, event_kinds=["status_changed"])
    make_endpoint(receiver, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
        ticket_actions.update_ticket(actor=Actor.system(), ticket=ticket, status="pending")
    by_endpoint: dict[int, list[str]] = {}
    for endpoint_id, kind in WebhookDelivery.objects.order_by("id").values_list("endpoint_id", "event_kind"):
        by_endpoint.setdefault(endpoint_id, []).append(kind)
    assert by_endpoint == {
        everything.pk: ["created", "message_added", "status_changed"],
        only_status.pk: ["status_changed"],
    }
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 4
    assert len(receiver.requests) == 4 and all(r.signature_valid for r in receiver.requests)
    assert [r.headers["X-Helpline-Event"] for r in receiver.requests][-1] == "status_changed"


def test_disabled_endpoint_gives_up_pending_deliveries(receiver: Receiver) -> None:
    endpoint = make_endpoint(receiver)
    queued = actions.queue_deliveries(endpoints=[endpoint], event_id=None, ticket_number=None, kind="x", payload={})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert delivery.deliver(queued[0].pk) == DeliveryStatus.FAILED
    assert receiver.requests == []


def test_send_due_deliveries_sweeps_what_is_due(receiver: Receiver) -> None:
    endpoint = make_endpoint(receiver)
    receiver.statuses = [500]
    queued = actions.queue_deliveries(endpoints=[endpoint], event_id=None, ticket_number=None, kind="x", payload={})
    delivery.deliver(queued[0].pk)
    assert delivery.send_due_deliveries() == []  # the retry is 30 s away
    WebhookDelivery.objects.filter(pk=queued[0].pk).update(next_attempt_at=queued[0].created_at)
    out = io.StringIO()
    call_command("send_due_webhooks", stdout=out)
    assert out.getvalue().strip() == "1 due deliveries attempted"
    assert WebhookDelivery.objects.get(pk=queued[0].pk).status == DeliveryStatus.SUCCEEDED


def test_secret_is_encrypted_at_rest(receiver: Receiver) -> None:
    endpoint = make_endpoint(receiver)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    (secret,) = receiver.secrets
    assert secret not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_payload_body_is_compact_sorted_json() -> None:
    body = delivery.encode_body({"b": 1, "a": "ნინო"})
    assert body == '{"a":"ნინო","b":1}'.encode()
    assert json.loads(body) == {"a": "ნინო", "b": 1}


def test_a_delivery_claimed_by_another_worker_is_not_sent_twice(receiver: Receiver) -> None:
    endpoint = make_endpoint(receiver)
    queued = actions.queue_deliveries(endpoints=[endpoint], event_id=None, ticket_number=None, kind="x", payload={})[0]
    first = WebhookDelivery.objects.get(pk=queued.pk)  # two workers loaded the same pending delivery
    second = WebhookDelivery.objects.get(pk=queued.pk)
    assert actions.claim_attempt(delivery=first, at=first.created_at)
    assert not actions.claim_attempt(delivery=second, at=second.created_at)
    assert WebhookDelivery.objects.get(pk=queued.pk).attempts == 1
    assert receiver.requests == []  # claiming sends nothing; the claimant sends once
    assert delivery.deliver(queued.pk) == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 1
