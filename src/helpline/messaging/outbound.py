"""Delivering agents' replies on messaging tickets through the provider the customer wrote from,
with retries and backoff on provider outages; every attempt's outcome is visible on the message."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.messaging.adapters import adapter_for
from helpline.messaging.adapters.base import OutboundMessage, SendError
from helpline.messaging.adapters.sms import TwilioSmsAdapter
from helpline.messaging.models import ChannelAccount
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind

log = logging.getLogger("helpline.messaging.outbound")

CHANNEL_PROVIDERS: dict[str, str] = {
    Channel.TELEGRAM: "telegram",
    Channel.WHATSAPP: "whatsapp",
    Channel.SMS: "sms",
    Channel.MESSENGER: "messenger",
}
SERVICE_WINDOW = dt.timedelta(hours=24)
MEDIA_SALT = "helpline.messaging.media"


def max_attempts() -> int:
    return int(getattr(settings, "MESSAGING_MAX_ATTEMPTS", 5))


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: base × 4^(attempt-1) (30 s, 2 min, 8 min, ...)."""
    base = float(getattr(settings, "MESSAGING_RETRY_BASE_SECONDS", 30))
    return max(retry_after or 0.0, base * 4 ** (attempt - 1))


def last_inbound(message: Message) -> Message | None:
    return (
        Message.objects.filter(ticket_id=message.ticket_id, kind=MessageKind.INBOUND, channel=message.ticket.channel)
        .exclude(meta__account=None)
        .order_by("-created_at", "-id")
        .first()
    )


def account_for(message: Message) -> tuple[ChannelAccount | None, Message | None]:
    provider = CHANNEL_PROVIDERS.get(message.ticket.channel)
    if provider is None:
        return None, None
    inbound = last_inbound(message)
    account = None
    if inbound is not None:
        account = ChannelAccount.objects.filter(public_id=inbound.meta.get("account"), active=True).first()
    if account is None:
        account = ChannelAccount.objects.filter(provider=provider, active=True).order_by("pk").first()
    return account, inbound


def recipient_of(message: Message, inbound: Message | None, identity_kind: str) -> str:
    if inbound is not None and inbound.meta.get("sender"):
        return str(inbound.meta["sender"])
    identity = message.ticket.requester.identities.filter(kind=identity_kind).first()
    return identity.value if identity else ""


def media_url(attachment_public_id: str) -> str:
    token = signing.dumps(attachment_public_id, salt=MEDIA_SALT)
    return settings.SITE_URL + reverse("messaging:media", args=[token])


def attempt_delivery(message: Message, attempt: int) -> float | None:
    """One try. Returns the delay before the next try, or None when there is nothing more to do."""
    account, inbound = account_for(message)
    actor = Actor.system(message.ticket.channel)
    if account is None:
        delivery_actions.set_delivery_status(
            actor=actor, message=message, status=DeliveryStatus.FAILED, error="no active channel account"
        )
        return None
    adapter = adapter_for(account.provider)
    to = recipient_of(message, inbound, adapter.identity_kind)
    if not to:
        delivery_actions.set_delivery_status(
            actor=actor,
            message=message,
            status=DeliveryStatus.FAILED,
            error="the customer has no address on this channel",
        )
        return None
    attachments = tuple(message.attachments.all())
    since = timezone.now() - inbound.created_at if inbound is not None else None
    outbound = OutboundMessage(
        to=to,
        text=message.body_text,
        attachments=attachments,
        language=message.ticket.language,
        inside_service_window=since is not None and since < SERVICE_WINDOW,
        since_customer_wrote=since,
        media_url=media_url(attachments[0].public_id) if attachments else "",
        choices=tuple((str(c["id"]), str(c["title"])) for c in (message.meta.get("choices") or [])),
        choices_label=str(message.meta.get("choices_label") or ""),
    )
    try:
        if isinstance(adapter, TwilioSmsAdapter):
            callback = settings.SITE_URL + reverse("messaging:status", args=[account.provider, account.public_id])
            external_id = adapter.send(account, outbound, status_callback=callback)
        else:
            external_id = adapter.send(account, outbound)
    except SendError as exc:
        final = not exc.transient or attempt >= max_attempts()
        log.warning("send failed message=%s attempt=%s final=%s error=%s", message.public_id, attempt, final, exc)
        if final:
            delivery_actions.set_delivery_status(
                actor=actor, message=message, status=DeliveryStatus.FAILED, error=str(exc)
            )
            return None
        delay = backoff(attempt, exc.retry_after)
        delivery_actions.set_delivery_status(
            actor=actor,
            message=message,
            status=DeliveryStatus.QUEUED,
            error=f"attempt {attempt} of {max_attempts()} failed, retrying in {delay:.0f} s: {exc}",
        )
        return delay
    delivery_actions.set_delivery_status(
        actor=actor, message=message, status=DeliveryStatus.SENT, external_id=external_id
    )
    return None
