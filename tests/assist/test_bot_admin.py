"""/admin/bot/: admins turn the bot on per channel and set its threshold, hand-off phrases,
greetings and the generative endpoint (key write-only, stored encrypted); agents cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.assist.config import bot_settings
from helpline.assist.models import BotSettings
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_agent("admin"))
    return client


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channels": ["chat", "telegram", "email"],
        "min_confidence": "0.7",
        "handoff_phrases": "manager please\nCall me",
        "greeting_en": "Hello! I am the Helpline bot.",
        "greeting_ka": "გამარჯობა!",
        "llm_url": "",
        "llm_model": "",
        "llm_key_env": "",
        "llm_key": "",
    }
    data.update(changes)
    return data


def test_agents_cannot_open_it() -> None:
    client = Client()
    client.force_login(make_agent())
    assert client.get("/admin/bot/").status_code == 403


def test_admin_saves_the_settings(admin_client: Client) -> None:
    page = admin_client.get("/admin/bot/")
    assert page.status_code == 200 and b"Telegram" in page.content and b"greeting_te" in page.content
    assert admin_client.post("/admin/bot/", form()).status_code == 302
    config = bot_settings()
    assert config.channels == ["chat", "telegram", "email"] and config.min_confidence == 0.7
    assert config.phrases() == ["manager please", "call me"]
    assert config.greetings == {"en": "Hello! I am the Helpline bot.", "ka": "გამარჯობა!"}
    assert not config.generative
    assert "Hello! I am the Helpline bot." in admin_client.get("/admin/bot/").content.decode()


def test_generative_needs_url_and_model_and_the_key_is_write_only(admin_client: Client) -> None:
    response = admin_client.post("/admin/bot/", form(generative="on"))
    assert response.status_code == 422 and "need the endpoint URL" in response.content.decode()
    assert not BotSettings.objects.exists()
    done = admin_client.post(
        "/admin/bot/",
        form(generative="on", llm_url="http://127.0.0.1:9/v1/chat/completions", llm_model="m", llm_key="sk-secret"),
    )
    assert done.status_code == 302 and bot_settings().llm_key == "sk-secret"
    page = admin_client.get("/admin/bot/").content.decode()
    assert "sk-secret" not in page and "An API key is stored." in page
    admin_client.post("/admin/bot/", form(generative="on", llm_url="http://127.0.0.1:9/v1/x", llm_model="m"))
    assert bot_settings().llm_key == "sk-secret"  # blank keeps it
    admin_client.post("/admin/bot/", form(clear_llm_key="on"))
    assert bot_settings().llm_key == ""


def test_bad_values_are_refused(admin_client: Client) -> None:
    assert admin_client.post("/admin/bot/", form(min_confidence="1.5")).status_code == 422
    assert admin_client.post("/admin/bot/", form(channels=["fax"])).status_code == 422
    assert admin_client.post("/admin/bot/", form(llm_key_env="NOT A NAME")).status_code == 422


def test_extra_handoff_phrase_hands_off(admin_client: Client) -> None:
    """The phrase alone decides: no knowledge base needed."""
    admin_client.post("/admin/bot/", form())
    response = Client().post(
        "/api/bot/messages",
        {"text": "Manager please, now", "email": "m@example.com"},
        content_type="application/json",
    )
    assert response.json()["reason"] == "asked_for_human"
