from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.urls import reverse

from helpline.core.actors import Actor
from helpline.messaging import actions
from helpline.messaging.adapters.sms import twilio_signature
from helpline.messaging.models import ChannelAccount
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message, Ticket
from tests.factories import make_agent
from tests.messaging.fake_providers import MESSENGER_TOKEN, TWILIO_SID, TWILIO_TOKEN, WHATSAPP_PHONE_ID, WHATSAPP_TOKEN

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"


def make_account(provider: str, base_url: str, **credentials: str) -> ChannelAccount:
    return actions.save_channel_account(
        actor=Actor.of_agent(make_agent("admin")),
        provider=provider,
        name=f"Test {provider}",
        api_base_url=base_url,
        credentials=credentials,
    )


def webhook_path(account: ChannelAccount, status: bool = False) -> str:
    name = "messaging:status" if status else "messaging:webhook"
    return reverse(name, args=[account.provider, account.public_id])


def post_meta(account: ChannelAccount, payload: Any, *, secret: str = APP_SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return Client().generic(
        "POST",
        webhook_path(account),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def post_twilio(account: ChannelAccount, form: dict[str, str], *, token: str, status: bool = False) -> Any:
    path = webhook_path(account, status=status)
    signature = twilio_signature(token, settings.SITE_URL + path, list(form.items()))
    return Client().post(
        path,
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def agent_reply(ticket: Ticket, text: str, commits: Any, **kwargs: Any) -> Message:
    with commits():
        message = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text=text, **kwargs)
    message.refresh_from_db()
    return message


def whatsapp_account(base_url: str) -> ChannelAccount:
    return make_account(
        "whatsapp",
        base_url,
        access_token=WHATSAPP_TOKEN,
        phone_number_id=WHATSAPP_PHONE_ID,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
    )


def sms_account(base_url: str) -> ChannelAccount:
    return make_account("sms", base_url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006")


def messenger_account(base_url: str) -> ChannelAccount:
    return make_account(
        "messenger", base_url, page_access_token=MESSENGER_TOKEN, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN
    )
