"""REST endpoints for outbound webhooks and their deliveries. Admins only.

The signing secret is returned once, when an endpoint is created or its secret rotated.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from helpline.core.api_auth import require_admin
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT, PageQuery, page_of
from helpline.core.api_schemas import choice_literal
from helpline.tickets.models import EventKind
from helpline.webhooks import actions, selectors
from helpline.webhooks.models import DeliveryStatus, WebhookEndpoint

router = Router(tags=["webhooks"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
EventKindName = choice_literal(EventKind)


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    event_kinds: list[str] = Field(..., description="Ticket event kinds sent; empty means all.")
    active: bool
    created_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj: WebhookEndpoint) -> str | None:
        return str(obj.created_by) if obj.created_by_id and obj.created_by else None


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(..., description="The signing secret. Shown only now: store it.")


class WebhookIn(Schema):
    url: str = Field(
        ...,
        min_length=1,
        max_length=500,
        description="An http:// or https:// URL.",
        examples=["https://crm.example.com/hooks/helpline"],
    )
    description: str = Field("", max_length=200)
    event_kinds: list[EventKindName] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]
    active: bool = True


class WebhookPatchIn(Schema):
    url: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=200)
    event_kinds: list[EventKindName] | None = Field(None, max_length=50)  # type: ignore[valid-type]
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    event_id: int | None
    event_kind: str
    ticket_number: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryListQuery(PageQuery):
    status: choice_literal(DeliveryStatus) | None = None  # type: ignore[valid-type]


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="List webhooks (admins)")
def list_webhooks(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    require_admin(request)
    return selectors.endpoints()


@router.post("/webhooks", response={201: WebhookWithSecretOut, **ERRORS}, summary="Create a webhook (admins)")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status:
    actor = require_admin(request)
    endpoint, _secret = actions.create_endpoint(
        actor=actor,
        url=payload.url,
        description=payload.description,
        event_kinds=payload.event_kinds,
        active=payload.active,
    )
    return Status(201, endpoint)  # with `secret` in clear: this response and rotation's only


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Get a webhook (admins)")
def get_webhook(request: HttpRequest, webhook_id: ObjectId) -> WebhookEndpoint:
    require_admin(request)
    return selectors.get_endpoint(webhook_id)


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Change a webhook (admins)")
def update_webhook(request: HttpRequest, webhook_id: ObjectId, payload: WebhookPatchIn) -> WebhookEndpoint:
    actor = require_admin(request)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return actions.update_endpoint(actor=actor, endpoint=selectors.get_endpoint(webhook_id), **changes)


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Delete a webhook (admins)")
def delete_webhook(request: HttpRequest, webhook_id: ObjectId) -> Status:
    actor = require_admin(request)
    actions.delete_endpoint(actor=actor, endpoint=selectors.get_endpoint(webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response={200: WebhookWithSecretOut, **ERRORS},
    summary="Replace the signing secret (admins)",
)
def rotate_webhook_secret(request: HttpRequest, webhook_id: ObjectId) -> WebhookEndpoint:
    actor = require_admin(request)
    endpoint = selectors.get_endpoint(webhook_id)
    actions.rotate_secret(actor=actor, endpoint=endpoint)
    return endpoint


@router.get(
    "/webhooks/{webhook_id}/deliveries", response={200: DeliveryPage, **ERRORS}, summary="Deliveries, newest first"
)
def list_deliveries(request: HttpRequest, webhook_id: ObjectId, query: Query[DeliveryListQuery]) -> dict[str, Any]:
    require_admin(request)
    qs = selectors.deliveries_of(selectors.get_endpoint(webhook_id), status=query.status)
    page = page_of(qs, sort="-created_at", cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    summary="One delivery with its payload",
)
def get_delivery(request: HttpRequest, webhook_id: ObjectId, delivery_id: ObjectId) -> Any:
    require_admin(request)
    return selectors.get_delivery(selectors.get_endpoint(webhook_id), delivery_id)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a delivery's payload again (admins)",
)
def redeliver(request: HttpRequest, webhook_id: ObjectId, delivery_id: ObjectId) -> Status:
    actor = require_admin(request)
    delivery = selectors.get_delivery(selectors.get_endpoint(webhook_id), delivery_id)
    fresh = actions.redeliver(actor=actor, delivery=delivery)
    fresh.refresh_from_db()
    return Status(202, fresh)
