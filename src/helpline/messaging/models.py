"""Messaging channel accounts (a Telegram bot, a WhatsApp number, an SMS gateway account, a
Messenger page) and every webhook payload they received, stored before it is processed."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.crypto import EncryptedTextField
from helpline.core.ids import new_public_id


class Provider(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS (Twilio-compatible)")
    MESSENGER = "messenger", _("Facebook Messenger")


DEFAULT_API_BASE = {
    Provider.TELEGRAM: "https://api.telegram.org",
    Provider.WHATSAPP: "https://graph.facebook.com",
    Provider.SMS: "https://api.twilio.com",
    Provider.MESSENGER: "https://graph.facebook.com",
}


class ChannelAccount(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=120)
    api_base_url = models.URLField(_("API base URL"), max_length=300)
    # Provider secrets (tokens, app secrets, auth tokens) as one JSON object, encrypted at rest.
    credentials = EncryptedTextField(blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "name"]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.name}"

    @property
    def secrets(self) -> dict[str, Any]:
        try:
            data = json.loads(self.credentials or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def secret(self, key: str, default: str = "") -> str:
        return str(self.secrets.get(key) or default)


class PayloadStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected (signature)")
    MALFORMED = "malformed", _("Malformed")
    FAILED = "failed", _("Failed")


class InboundPayload(models.Model):
    """A webhook call exactly as it arrived, kept for inspection and reprocessing."""

    account = models.ForeignKey(ChannelAccount, null=True, on_delete=models.SET_NULL, related_name="payloads")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=20, default="message")  # message | status
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=PayloadStatus.choices, default=PayloadStatus.RECEIVED)
    error = models.TextField(blank=True)
    messages_added = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
