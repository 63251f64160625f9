"""Sending one delivery: sign, POST with httpx, record the outcome and schedule the retry."""

from __future__ import annotations

import json
import logging

import httpx
from django.utils import timezone

from helpline.webhooks import actions
from helpline.webhooks.models import DeliveryStatus, WebhookDelivery
from helpline.webhooks.signing import signature_headers

log = logging.getLogger("helpline.webhooks")

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Helpline-Webhooks/1"


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def request_headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpline-Event": delivery.event_kind,
        "X-Helpline-Delivery": str(delivery.pk),
        **signature_headers(delivery.endpoint.secret, body),
    }


def deliver(delivery_id: int) -> str:
    """Attempt one pending delivery now. Returns its status afterwards."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != DeliveryStatus.PENDING:
        return delivery.status
    if not delivery.endpoint.active:
        actions.give_up(delivery=delivery, reason="The endpoint is disabled.")
        return delivery.status
    if not actions.claim_attempt(delivery=delivery, at=timezone.now()):
        return "busy"  # another worker is sending it right now
    body = encode_body(delivery.payload)
    status_code: int | None = None
    error = ""
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(delivery.endpoint.url, content=body, headers=request_headers(delivery, body))
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:500]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    actions.record_attempt(delivery=delivery, status_code=status_code, error=error)
    log.info(
        "webhook delivery=%s endpoint=%s attempt=%s status=%s code=%s",
        delivery.pk,
        delivery.endpoint_id,
        delivery.attempts,
        delivery.status,
        status_code,
    )
    if delivery.status == DeliveryStatus.PENDING:
        schedule_retry(delivery)
    return delivery.status


def schedule_retry(delivery: WebhookDelivery) -> bool:
    """Re-enqueue the task to run at `next_attempt_at`. Backends that cannot defer (the immediate
    backend of tests) leave the delivery pending for `send_due_deliveries`."""
    from helpline.webhooks.tasks import deliver_webhook

    if delivery.next_attempt_at is None:
        return False
    if not deliver_webhook.get_backend().supports_defer:
        log.info("webhook delivery=%s waits until %s for send_due_deliveries", delivery.pk, delivery.next_attempt_at)
        return False
    deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return True


def send_due_deliveries(*, limit: int = 100) -> list[str]:
    """Attempt every pending delivery whose time has come (a sweep for lost or undeferred retries)."""
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
    return [deliver(pk) for pk in due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]]
