"""Webhooks through the API: admin-only, the secret shown once, rotation, deliveries, redelivery."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.accounts.models import AuditLogEntry
from helpline.webhooks import delivery
from helpline.webhooks.models import WebhookDelivery
from tests.api.conftest import ApiClient, assert_error
from tests.factories import make_ticket
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_never_again(admin_api: ApiClient, receiver: Receiver) -> None:
    created = admin_api.post(
        "/webhooks", {"url": receiver.url, "description": "CRM", "event_kinds": ["created", "status_changed"]}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_kinds"] == ["created", "status_changed"]
    webhook_id = body["id"]
    for shown in (admin_api.get(f"/webhooks/{webhook_id}").json(), *admin_api.get("/webhooks").json()):
        assert "secret" not in shown
        assert body["secret"] not in str(shown)
    patched = admin_api.patch(f"/webhooks/{webhook_id}", {"active": False, "event_kinds": []}).json()
    assert (patched["active"], patched["event_kinds"]) == (False, [])
    assert "secret" not in patched
    assert AuditLogEntry.objects.filter(target_type="webhookendpoint").count() == 2


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "example.com/hook", "http://"]
)
def test_non_http_urls_are_refused(admin_api: ApiClient, url: str) -> None:
    error = assert_error(admin_api.post("/webhooks", {"url": url}), 422)
    assert error["code"] == "invalid_url"


def test_unknown_event_kinds_are_refused(admin_api: ApiClient) -> None:
    error = assert_error(admin_api.post("/webhooks", {"url": "https://example.com", "event_kinds": ["nope"]}), 422)
    assert "event_kinds.0" in error["details"]["fields"]


def test_rotation_changes_the_signing_secret(
    admin_api: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    created = admin_api.post("/webhooks", {"url": receiver.url, "event_kinds": ["created"]}).json()
    rotated = admin_api.post(f"/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.content
    new_secret = rotated.json()["secret"]
    assert new_secret != created["secret"]
    receiver.secrets.add(created["secret"])  # the receiver still trusts only the old secret
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket()
    assert receiver.requests and not receiver.requests[-1].signature_valid
    receiver.secrets = {new_secret}
    pending = WebhookDelivery.objects.get()
    assert delivery.deliver(pending.pk) == "succeeded"
    assert receiver.requests[-1].signature_valid


def test_deliveries_are_listed_filtered_detailed_and_redelivered(
    admin_api: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    created = admin_api.post("/webhooks", {"url": receiver.url}).json()
    receiver.secrets.add(created["secret"])
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    listing = admin_api.get(f"/webhooks/{created['id']}/deliveries").json()
    assert [(d["event_kind"], d["status"]) for d in listing["items"]] == [
        ("message_added", "succeeded"),
        ("created", "pending"),
    ]
    failed_first = listing["items"][1]
    assert (failed_first["attempts"], failed_first["last_status_code"]) == (1, 500)
    assert failed_first["next_attempt_at"] is not None
    assert "payload" not in failed_first
    only_pending = admin_api.get(f"/webhooks/{created['id']}/deliveries", {"status": "pending"}).json()
    assert [d["id"] for d in only_pending["items"]] == [failed_first["id"]]
    detail = admin_api.get(f"/webhooks/{created['id']}/deliveries/{failed_first['id']}").json()
    assert detail["payload"]["ticket"]["number"] == ticket.number

    page = admin_api.get(f"/webhooks/{created['id']}/deliveries", {"limit": "1"}).json()
    assert page["next_cursor"] and len(page["items"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = admin_api.post(f"/webhooks/{created['id']}/deliveries/{failed_first['id']}/redeliver")
    assert again.status_code == 202, again.content
    assert again.json()["id"] != failed_first["id"] and again.json()["event_kind"] == "created"
    fresh = WebhookDelivery.objects.get(pk=again.json()["id"])
    assert (fresh.status, fresh.attempts, fresh.payload) == ("succeeded", 1, detail["payload"])
    assert_error(admin_api.get(f"/webhooks/{created['id']}/deliveries/999999"), 404)


def test_delete_removes_the_endpoint_and_its_deliveries(admin_api: ApiClient) -> None:
    created = admin_api.post("/webhooks", {"url": "https://example.com/hook", "active": False}).json()
    assert admin_api.delete(f"/webhooks/{created['id']}").status_code == 204
    assert_error(admin_api.get(f"/webhooks/{created['id']}"), 404)
    assert admin_api.get("/webhooks").json() == []
