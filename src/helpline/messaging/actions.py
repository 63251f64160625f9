"""Writes of the messaging app: channel accounts (secrets encrypted at rest) and stored payloads."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.messaging.models import DEFAULT_API_BASE, ChannelAccount, InboundPayload, PayloadStatus, Provider
from helpline.tickets import permissions

SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    Provider.TELEGRAM: ("bot_token", "webhook_secret"),
    Provider.WHATSAPP: (
        "access_token",
        "phone_number_id",
        "app_secret",
        "verify_token",
        "template_name",
        "template_language",
        "api_version",
    ),
    Provider.SMS: ("account_sid", "auth_token", "from_number"),
    Provider.MESSENGER: ("page_access_token", "app_secret", "verify_token", "api_version"),
}
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-telegram-bot-api-secret-token",
    "x-hub-signature-256",
    "x-twilio-signature",
)


def save_channel_account(
    *,
    actor: Actor,
    account: ChannelAccount | None = None,
    provider: str = "",
    name: str,
    api_base_url: str = "",
    credentials: dict[str, Any] | None = None,
    active: bool = True,
) -> ChannelAccount:
    """Create or change a channel account. Blank secrets in `credentials` keep the stored value."""
    permissions.require(permissions.can_manage_settings(actor))
    provider = account.provider if account else provider
    if provider not in Provider.values:
        raise InvalidInputError(_("Choose a provider."), code="invalid_provider")
    name = name.strip()[:120]
    if not name:
        raise InvalidInputError(_("Give the channel a name."), code="name_required")
    base = (api_base_url or "").strip() or DEFAULT_API_BASE[Provider(provider)]
    if not base.startswith(("http://", "https://")):
        raise InvalidInputError(_("The API base URL must start with http:// or https://."), code="invalid_url")
    stored = account.secrets if account else {}
    for key, value in (credentials or {}).items():
        if key not in SECRET_FIELDS[provider]:
            raise InvalidInputError(_("Unknown setting %(key)s.") % {"key": key}, code="invalid_setting")
        if str(value or "").strip():
            stored[key] = str(value).strip()
    with transaction.atomic():
        if account is None:
            account = ChannelAccount(provider=provider)
        account.name, account.api_base_url, account.active = name, base, active
        account.credentials = json.dumps(stored)
        account.save()
    return account


def record_payload(
    *, account: ChannelAccount | None, provider: str, kind: str, headers: dict[str, str], body: bytes
) -> InboundPayload:
    """Keep the call as it arrived, before anything else is done with it."""
    return InboundPayload.objects.create(
        account=account,
        provider=provider,
        kind=kind,
        headers={k: v[:500] for k, v in headers.items() if k in KEPT_HEADERS},
        body=body.decode("utf-8", "replace"),
    )


def mark_payload(*, payload: InboundPayload, status: str, error: str = "", messages_added: int = 0) -> None:
    payload.status, payload.error, payload.messages_added = status, error[:4000], messages_added
    payload.save(update_fields=["status", "error", "messages_added"])


__all__ = ["PayloadStatus", "mark_payload", "record_payload", "save_channel_account"]
