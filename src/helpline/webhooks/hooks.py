"""Subscriber of ticket events: queue a signed delivery to every active endpoint that wants it."""

from __future__ import annotations

from helpline.core import batching, hooks
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.tickets.models import TicketEvent
from helpline.webhooks import actions
from helpline.webhooks.models import WebhookEndpoint
from helpline.webhooks.payloads import event_payload


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def queue_webhook_deliveries(event: TicketEvent) -> None:
    active = batching.memo(
        "webhooks.endpoints", lambda: list(WebhookEndpoint.objects.filter(active=True).defer("secret"))
    )
    endpoints = [e for e in active if e.wants(event.kind)]
    if not endpoints:
        return
    actions.queue_deliveries(
        endpoints=endpoints,
        event_id=event.pk,
        ticket_number=event.ticket.number,
        kind=event.kind,
        payload=event_payload(event),
    )
