"""Every write to webhook endpoints and deliveries. Endpoint changes are admin-only and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.actions import record_audit
from helpline.accounts.models import AuditAction
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import permissions
from helpline.tickets.models import EventKind
from helpline.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from helpline.webhooks.signing import new_secret

_UNSET: Any = object()

# Seconds to wait after failed attempt 1, 2, ...; the attempt after the last wait is the final one.
BACKOFF_SECONDS: tuple[int, ...] = (30, 2 * 60, 10 * 60, 60 * 60, 6 * 60 * 60)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1


def _require_admin(actor: Actor) -> None:
    permissions.require(permissions.can_manage_settings(actor), _("Only admins may manage webhooks."))


def clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            _("A webhook URL must start with http:// or https:// and name a host."),
            code="invalid_url",
            details={"fields": {"url": _("must be an http(s) URL")}},
        )
    if len(url) > 500:
        raise InvalidInputError(_("The URL is too long (500 characters at most)."), code="invalid_url")
    return url


def clean_event_kinds(kinds: Iterable[str]) -> list[str]:
    cleaned = sorted(set(kinds))
    unknown = [k for k in cleaned if k not in EventKind.values]
    if unknown:
        raise InvalidInputError(
            _("Unknown event kind: %(kinds)s") % {"kinds": ", ".join(unknown)},
            code="invalid_event_kind",
            details={"fields": {"event_kinds": _("unknown event kind")}},
        )
    return cleaned


def create_endpoint(
    *, actor: Actor, url: str, description: str = "", event_kinds: Iterable[str] = (), active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint with a server-generated secret, returned once in clear beside the row."""
    _require_admin(actor)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=clean_url(url),
            description=description.strip()[:200],
            secret=secret,
            event_kinds=clean_event_kinds(event_kinds),
            active=active,
            created_by=actor.agent,
        )
        record_audit(
            actor=actor.agent,
            action=AuditAction.SETTING_CHANGED,
            target=endpoint,
            data={"webhook": "created", "url": endpoint.url},
        )
    return endpoint, secret


def update_endpoint(
    *,
    actor: Actor,
    endpoint: WebhookEndpoint,
    url: str = _UNSET,
    description: str = _UNSET,
    event_kinds: Iterable[str] = _UNSET,
    active: bool = _UNSET,
) -> WebhookEndpoint:
    _require_admin(actor)
    values = {
        "url": clean_url(url) if url is not _UNSET else _UNSET,
        "description": description.strip()[:200] if description is not _UNSET else _UNSET,
        "event_kinds": clean_event_kinds(event_kinds) if event_kinds is not _UNSET else _UNSET,
        "active": active,
    }
    changes = {}
    for attr, value in values.items():
        if value is not _UNSET and getattr(endpoint, attr) != value:
            changes[attr] = [getattr(endpoint, attr), value]
            setattr(endpoint, attr, value)
    if changes:
        with transaction.atomic():
            endpoint.save(update_fields=[*changes, "updated_at"])
            record_audit(
                actor=actor.agent,
                action=AuditAction.SETTING_CHANGED,
                target=endpoint,
                data={"webhook": "updated", **changes},
            )
    return endpoint


def rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> str:
    """Replace the signing secret; the new one is returned once. Pending retries sign with it."""
    _require_admin(actor)
    secret = new_secret()
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "updated_at"])
        record_audit(
            actor=actor.agent, action=AuditAction.SETTING_CHANGED, target=endpoint, data={"webhook": "secret_rotated"}
        )
    return secret


def delete_endpoint(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    _require_admin(actor)
    with transaction.atomic():
        record_audit(
            actor=actor.agent,
            action=AuditAction.SETTING_CHANGED,
            target=endpoint,
            data={"webhook": "deleted", "url": endpoint.url},
        )
        endpoint.delete()


# -- deliveries ----------------------------------------------------------------------------------


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    from helpline.webhooks.tasks import deliver_webhook

    def _enqueue() -> None:
        for delivery_id in delivery_ids:
            deliver_webhook.enqueue(delivery_id)

    if delivery_ids:
        transaction.on_commit(_enqueue)


def queue_deliveries(
    *, endpoints: Iterable[WebhookEndpoint], event_id: int | None, ticket_number: int | None, kind: str, payload: dict
) -> list[WebhookDelivery]:
    """One pending delivery per endpoint, sent by the `webhooks` task queue after commit."""
    now = timezone.now()
    with transaction.atomic():
        deliveries = [
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_id=event_id,
                ticket_number=ticket_number,
                event_kind=kind,
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
        _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a past delivery's payload again, as a new delivery with its own attempts."""
    _require_admin(actor)
    return queue_deliveries(
        endpoints=[delivery.endpoint],
        event_id=delivery.event_id,
        ticket_number=delivery.ticket_number,
        kind=delivery.event_kind,
        payload=delivery.payload,
    )[0]


def claim_attempt(*, delivery: WebhookDelivery, at: dt.datetime) -> bool:
    """Count the attempt before sending, atomically: a second worker holding the same pending
    delivery (a duplicate task, a sweep) finds it claimed and does not send it twice."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, last_attempt_at=at, updated_at=at)
    if claimed:
        delivery.attempts += 1
        delivery.last_attempt_at = at
    return bool(claimed)


def record_attempt(*, delivery: WebhookDelivery, status_code: int | None, error: str) -> WebhookDelivery:
    """Store the claimed attempt's outcome: 2xx succeeds; otherwise back off from the attempt's
    start, or fail after the last attempt."""
    assert delivery.last_attempt_at is not None, "claim_attempt() first"
    delivery.last_status_code = status_code
    succeeded = status_code is not None and 200 <= status_code < 300 and not error
    delivery.last_error = "" if succeeded else error[:2000]
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = delivery.last_attempt_at + dt.timedelta(
            seconds=BACKOFF_SECONDS[delivery.attempts - 1]
        )
    delivery.save(update_fields=["last_status_code", "last_error", "status", "next_attempt_at", "updated_at"])
    return delivery


def give_up(*, delivery: WebhookDelivery, reason: str) -> WebhookDelivery:
    delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    delivery.last_error = reason[:2000]
    delivery.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
    return delivery
