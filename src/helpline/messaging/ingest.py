"""Inbound webhooks: store the raw payload, check the provider's signature, parse, then turn each
message into a ticket message (idempotent on the provider's message id) and each receipt into a
delivery status on our message."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from helpline.core import hooks
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Customer, CustomerIdentity, IdentityKind
from helpline.messaging import actions
from helpline.messaging.adapters import adapter_for
from helpline.messaging.adapters.base import Adapter, InboundMessage, MalformedPayload, StatusUpdate
from helpline.messaging.models import ChannelAccount, InboundPayload, PayloadStatus
from helpline.tickets import actions as ticket_actions
from helpline.tickets import delivery_actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Status, Ticket

log = logging.getLogger("helpline.messaging")
PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.WHATSAPP)
# `fn(*, account, adapter, message) -> bool`: True when the subscriber consumed the message (a survey
# answer, a pressed button), so it does not become a ticket message.
INBOUND_CLAIM_HOOK = "messaging_inbound_claim"
STATUS_RANK: dict[str, int] = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 2, DeliveryStatus.FAILED: 3}


@dataclass(frozen=True)
class Outcome:
    payload: InboundPayload
    http_status: int


def receive(*, account: ChannelAccount, kind: str, headers: dict[str, str], body: bytes, url: str) -> Outcome:
    adapter = adapter_for(account.provider)
    payload = actions.record_payload(account=account, provider=account.provider, kind=kind, headers=headers, body=body)
    if not adapter.verify(account, headers, body, url):
        log.warning(
            "webhook refused: bad signature provider=%s account=%s payload=%s",
            account.provider,
            account.public_id,
            payload.pk,
        )
        actions.mark_payload(payload=payload, status=PayloadStatus.REJECTED, error="missing or wrong signature")
        return Outcome(payload, 403)
    try:
        parsed = adapter.parse(body, headers.get("content-type", ""))
    except MalformedPayload as exc:
        log.warning("webhook malformed provider=%s payload=%s error=%s", account.provider, payload.pk, exc)
        actions.mark_payload(payload=payload, status=PayloadStatus.MALFORMED, error=str(exc))
        return Outcome(payload, 400)
    added = 0
    try:
        for message in parsed.messages:
            if any(claim(account=account, adapter=adapter, message=message) for claim in hooks.get(INBOUND_CLAIM_HOOK)):
                continue
            if message.choice and not message.text:
                continue  # a button nobody claims (e.g. of an old survey) is not a customer message
            added += int(_store_inbound(account, adapter, message))
        for status in parsed.statuses:
            _apply_status(adapter, status)
    except Exception as exc:  # stored: the provider retries and the payload can be processed again
        log.exception("webhook processing failed provider=%s payload=%s", account.provider, payload.pk)
        actions.mark_payload(
            payload=payload, status=PayloadStatus.FAILED, error=f"{type(exc).__name__}: {exc}", messages_added=added
        )
        return Outcome(payload, 500)
    actions.mark_payload(payload=payload, status=PayloadStatus.PROCESSED, messages_added=added)
    return Outcome(payload, 200)


def _customer(adapter: Adapter, message: InboundMessage) -> Customer:
    """One customer across channels: a WhatsApp number that is also a known phone (or the reverse)
    belongs to the customer who has it; the other identity is linked to them."""
    kind = adapter.identity_kind
    if kind in PHONE_KINDS:
        value = customer_actions.normalize_identity(kind, message.sender)
        known = (
            CustomerIdentity.objects.select_related("customer")
            .filter(kind__in=PHONE_KINDS, value=value)
            .order_by("kind" if kind == IdentityKind.PHONE else "-kind")
            .first()
        )
        if known is not None:
            customer = known.customer
            while customer.merged_into_id and customer.merged_into is not None:
                customer = customer.merged_into
            customer_actions.link_identity(
                actor=Actor.system(adapter.channel), customer=customer, kind=kind, value=value
            )
            return customer
    customer, _new = customer_actions.resolve_customer(
        kind=kind, value=message.sender, name=message.name, language=message.language, channel=adapter.channel
    )
    if kind == IdentityKind.WHATSAPP:
        customer_actions.link_identity(
            actor=Actor.system(adapter.channel), customer=customer, kind=IdentityKind.PHONE, value=message.sender
        )
    return customer


def _open_ticket_of(customer: Customer, channel: str) -> Ticket | None:
    ticket = (
        Ticket.objects.filter(requester=customer, channel=channel, merged_into__isnull=True)
        .exclude(status=Status.CLOSED)
        .order_by("-last_message_at", "-id")
        .first()
    )
    return ticket


def _store_inbound(account: ChannelAccount, adapter: Adapter, message: InboundMessage) -> bool:
    channel = adapter.channel
    if Message.objects.filter(channel=channel, external_id=message.external_id).exists():
        return False  # the provider delivered the same webhook again
    files: list[IncomingFile] = [adapter.fetch_media(account, media) for media in message.media]
    meta: dict[str, Any] = {"account": account.public_id, "sender": message.sender}
    if message.stand_in or not message.text.strip():
        meta["no_text"] = True  # the body stands in for a file, a sticker or an empty message
    if message.sticker:
        meta["sticker"] = True
    text = message.text or ("" if files else "[empty message]")
    try:
        with transaction.atomic():
            customer = _customer(adapter, message)
            actor = Actor.of_customer(customer)
            ticket = _open_ticket_of(customer, channel)
            if ticket is None:
                ticket_actions.open_ticket(
                    actor=actor,
                    requester=customer,
                    subject="",
                    body_text=text or files[0].filename,
                    channel=channel,
                    attachments=files,
                    external_id=message.external_id,
                    meta=meta,
                    language=customer.language,
                )
            else:
                ticket_actions.add_message(
                    actor=actor,
                    ticket=ticket,
                    kind=MessageKind.INBOUND,
                    body_text=text,
                    channel=channel,
                    attachments=files,
                    external_id=message.external_id,
                    meta=meta,
                )
    except IntegrityError:
        return False  # a concurrent delivery of the same message won
    return True


def _apply_status(adapter: Adapter, update: StatusUpdate) -> None:
    if update.external_id:
        targets = list(
            Message.objects.filter(channel=adapter.channel, external_id=update.external_id, kind=MessageKind.REPLY)
        )
    else:  # a read watermark: everything we sent to that person before it
        before = dt.datetime.fromtimestamp(update.watermark_ms / 1000, tz=dt.UTC)
        targets = list(
            Message.objects.filter(
                channel=adapter.channel,
                kind=MessageKind.REPLY,
                ticket__requester__identities__kind=adapter.identity_kind,
                ticket__requester__identities__value=update.recipient,
                created_at__lte=before,
                delivery_status=DeliveryStatus.SENT,
            )
        )
    for target in targets:
        if STATUS_RANK.get(target.delivery_status, 0) >= STATUS_RANK[update.status]:
            continue  # receipts can arrive out of order: never step back
        delivery_actions.set_delivery_status(
            actor=Actor.system(adapter.channel), message=target, status=update.status, error=update.error
        )
