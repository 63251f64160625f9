"""Subscriber of ticket events: queue a signed delivery to every active endpoint that wants it."""

from __future__ import annotations

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.tickets.models import TicketEvent
from helpline.webhooks import actions
from helpline.webhooks.models import WebhookEndpoint
from helpline.webhooks.payloads import event_payload


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def queue_webhook_deliveries(event: TicketEvent) -> None:
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True).defer("secret") if e.wants(event.kind)]
    if not endpoints:
        return
    actions.queue_deliveries(
        endpoints=endpoints,
        event_id=event.pk,
        ticket_number=event.ticket.number,
        kind=event.kind,
        payload=event_payload(event),
    )
