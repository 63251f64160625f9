"""Delivery status reported by an email service provider's webhooks (through django-anymail's
`tracking` signal) mapped onto the reply it concerns: delivered, or failed with the reason."""

from __future__ import annotations

from typing import Any

from helpline.core.actors import Actor
from helpline.mail.models import OutboundMail, OutboundStatus
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus

DELIVERED = {"delivered"}
FAILED = {"bounced", "rejected", "failed"}


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    status = DeliveryStatus.DELIVERED if event.event_type in DELIVERED else None
    if event.event_type in FAILED:
        status = DeliveryStatus.FAILED
    if status is None or not event.message_id:
        return  # opens, clicks, deferrals: nothing to show on the message
    outbound = (
        OutboundMail.objects.select_related("ticket_message").filter(provider_message_id=str(event.message_id)).first()
    )
    if outbound is None:
        return
    error = ""
    if status == DeliveryStatus.FAILED:
        error = event.description or event.mta_response or event.event_type
        OutboundMail.objects.filter(pk=outbound.pk).update(status=OutboundStatus.FAILED, last_error=error[:1000])
    delivery_actions.set_delivery_status(
        actor=Actor.system(esp_name.lower()[:30] or "email"),
        message=outbound.ticket_message,
        status=status,
        error=error[:1000],
        at=event.timestamp,
    )


def connect() -> None:
    try:
        from anymail.signals import tracking
    except ImportError:  # django-anymail is optional
        return
    tracking.connect(on_tracking, dispatch_uid="helpline.mail.provider_status")
