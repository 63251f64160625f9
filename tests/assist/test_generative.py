"""The optional generative answer against a local fake of an OpenAI-compatible chat-completions
endpoint: used when it cites a retrieved article by its link, refused otherwise (the bot then
answers with the article's own words), and off by default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from helpline.assist.models import BotSettings
from helpline.knowledge.models import ArticleTranslation
from tests.assist.fake_llm import FakeChatCompletions

pytestmark = pytest.mark.django_db


@pytest.fixture
def llm() -> Iterator[FakeChatCompletions]:
    fake = FakeChatCompletions().start()
    try:
        yield fake
    finally:
        fake.stop()


def first_link(request: dict[str, Any]) -> str:
    match = re.search(r"Link: (\S+)", request["messages"][1]["content"])
    assert match
    return match.group(1)


def ask(text: str) -> dict[str, Any]:
    response = Client().post(
        "/api/bot/messages", {"text": text, "email": "c@example.com"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def enable(llm: FakeChatCompletions, **extra: Any) -> BotSettings:
    return BotSettings.objects.create(generative=True, llm_url=llm.url, llm_model="local-model", **extra)


def test_off_by_default(kb: dict[str, ArticleTranslation], llm: FakeChatCompletions) -> None:
    reply = ask("I forgot my password")
    assert reply["kind"] == "answered" and "open the sign-in page" in reply["text"]
    assert llm.requests == []


def test_an_answer_citing_the_article_is_used(
    kb: dict[str, ArticleTranslation], llm: FakeChatCompletions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_TEST_KEY", "sk-from-env")
    enable(llm, llm_key_env="LLM_TEST_KEY")
    llm.answer = lambda request: f"Choose Forgot password on the sign-in page. See {first_link(request)}"
    reply = ask("I forgot my password")
    assert reply["kind"] == "answered" and reply["text"].startswith("Choose Forgot password on the sign-in page.")
    assert reply["article"]["key"] == "reset-password" and reply["article"]["url"] in reply["text"]
    headers, body = llm.requests[0]
    assert headers["authorization"] == "Bearer sk-from-env" and body["model"] == "local-model"
    assert body["messages"][0]["role"] == "system" and "I forgot my password" in body["messages"][1]["content"]
    assert "Reset your password" in body["messages"][1]["content"]  # the retrieved article is in the prompt


def test_an_answer_citing_no_article_is_refused(kb: dict[str, ArticleTranslation], llm: FakeChatCompletions) -> None:
    enable(llm)
    llm.answer = lambda _request: "Just call us at 555-0100, we will reset it for you."
    reply = ask("I forgot my password")
    assert reply["kind"] == "answered" and "555-0100" not in reply["text"]
    assert "open the sign-in page" in reply["text"] and reply["article"]["url"] in reply["text"]
    assert len(llm.requests) == 1 and "authorization" not in llm.requests[0][0]


@pytest.mark.parametrize("status", [500, 401])
def test_an_endpoint_failure_falls_back_to_the_article(
    kb: dict[str, ArticleTranslation], llm: FakeChatCompletions, status: int
) -> None:
    enable(llm)
    llm.status = status
    reply = ask("I forgot my password")
    assert reply["kind"] == "answered" and "open the sign-in page" in reply["text"]


def test_stored_key_is_encrypted_and_sent(kb: dict[str, ArticleTranslation], llm: FakeChatCompletions) -> None:
    from django.db import connection

    enable(llm, llm_key="sk-stored-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT llm_key FROM assist_botsettings")
        (raw,) = cursor.fetchone()
    assert raw and "sk-stored-secret" not in raw
    llm.answer = lambda request: f"See {first_link(request)}"
    ask("I forgot my password")
    assert llm.requests[0][0]["authorization"] == "Bearer sk-stored-secret"
