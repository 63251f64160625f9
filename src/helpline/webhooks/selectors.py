"""Reads of webhook endpoints and deliveries."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from helpline.core.errors import NotFoundError
from helpline.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("created_by").order_by("id")


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFoundError(_("No such webhook."))
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint, *, status: str | None = None) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status:
        qs = qs.filter(status=status)
    return qs


def get_delivery(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise NotFoundError(_("No such delivery."))
    return delivery
