"""/admin/channels/: admins add and edit channel accounts (secrets never shown back, stored
encrypted), see recent webhook calls, and set up the chat widget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from helpline.chat.selectors import chat_settings
from helpline.messaging.models import ChannelAccount
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_agent("admin"))
    return client


def test_agents_cannot_open_channel_pages() -> None:
    client = Client()
    client.force_login(make_agent())
    assert client.get("/admin/channels/").status_code == 403
    assert client.get("/admin/channels/chat/").status_code == 403


def test_admin_adds_a_telegram_bot_with_encrypted_secrets(admin_client: Client) -> None:
    page = admin_client.get("/admin/channels/new/?provider=telegram")
    assert page.status_code == 200 and b"bot_token" in page.content
    response = admin_client.post(
        "/admin/channels/new/?provider=telegram",
        {"name": "Support bot", "api_base_url": "", "active": "on", "bot_token": "1:SECRET", "webhook_secret": "hush"},
    )
    assert response.status_code == 302
    account = ChannelAccount.objects.get()
    assert account.api_base_url == "https://api.telegram.org" and account.secret("bot_token") == "1:SECRET"
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM messaging_channelaccount")
        (raw,) = cursor.fetchone()
    assert "SECRET" not in raw and "hush" not in raw
    listing = admin_client.get("/admin/channels/")
    assert f"/messaging/telegram/{account.public_id}/".encode() in listing.content
    edit = admin_client.get(f"/admin/channels/{account.public_id}/")
    assert b"1:SECRET" not in edit.content
    admin_client.post(
        f"/admin/channels/{account.public_id}/",
        {"name": "Renamed", "api_base_url": "http://127.0.0.1:9/", "active": "on", "bot_token": ""},
    )
    account.refresh_from_db()
    assert account.name == "Renamed" and account.secret("bot_token") == "1:SECRET"
    assert admin_client.get("/admin/channels/new/?provider=fax").status_code == 404


def test_admin_sets_up_the_chat_widget(admin_client: Client) -> None:
    page = admin_client.get("/admin/channels/chat/")
    assert page.status_code == 200 and b"/chat/widget.js" in page.content
    response = admin_client.post(
        "/admin/channels/chat/",
        {
            "color": "#10b981",
            "greeting": "Gamarjoba!",
            "open_days": ["1", "2", "3", "4", "5"],
            "opens_at": "09:00",
            "closes_at": "18:00",
            "time_zone": "Asia/Tbilisi",
        },
    )
    assert response.status_code == 302
    config = chat_settings()
    assert (config.color, config.greeting, config.always_open, config.open_days) == (
        "#10b981",
        "Gamarjoba!",
        False,
        [1, 2, 3, 4, 5],
    )
    assert admin_client.post("/admin/channels/chat/", {"color": "red", "time_zone": "UTC"}).status_code == 422
