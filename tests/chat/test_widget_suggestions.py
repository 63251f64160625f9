"""The chat widget suggests articles while the visitor types a first message (none for greetings),
and an article read followed by leaving without writing counts as a deflection, once per visitor;
writing after reading does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

from helpline.chat.tokens import new_visitor_token
from helpline.knowledge.models import ArticleTranslation
from tests.chat.test_visitor_socket import next_of, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_worker_connections() -> Iterator[None]:
    cache.clear()
    yield
    gc.collect()


def session(steps: list[dict[str, Any]], token: str) -> list[dict[str, Any]]:
    """Send each frame; collect the `suggestions` answer to each `suggest` (and the `ack` of a message)."""

    async def run() -> list[dict[str, Any]]:
        communicator, _welcome = await visitor_socket(token)
        answers = []
        for step in steps:
            await communicator.send_json_to(step)
            if step["type"] == "suggest":
                answers.append(await next_of(communicator, "suggestions"))
            elif step["type"] == "message":
                answers.append(await next_of(communicator, "ack"))
        await communicator.disconnect()
        return answers

    return async_to_sync(run)()


def deflections(translation: ArticleTranslation) -> int:
    translation.refresh_from_db()
    return translation.deflections


def test_suggestions_while_typing_and_none_for_greetings(kb: dict[str, ArticleTranslation]) -> None:
    frames = [
        {"type": "suggest", "q": "I forgot my password", "lang": "en"},
        {"type": "suggest", "q": "hello", "lang": "en"},
        {"type": "suggest", "q": "გამარჯობა", "lang": "ka"},
        {"type": "suggest", "q": "პაროლი დამავიწყდა", "lang": "ka"},
        {"type": "suggest", "q": "x\x00y", "lang": "en"},
    ]
    english, hello, georgian_hello, georgian, binary = session(frames, new_visitor_token())
    top = english["articles"][0]
    assert english["q"] == "I forgot my password" and top["title"] == "Reset your password"
    assert top["article"] == kb["reset-password"].article.public_id and top["language"] == "en"
    assert top["url"].endswith(f"/help/en/articles/{top['article']}/")
    assert hello["articles"] == [] and georgian_hello["articles"] == [] and binary["articles"] == []
    assert kb["reset-password"].article.public_id in [a["article"] for a in georgian["articles"]]


def test_reading_then_leaving_is_a_deflection_once_per_visitor(kb: dict[str, ArticleTranslation]) -> None:
    article = kb["card-delivery"]
    token = new_visitor_token()
    read = {"type": "article_read", "article": article.article.public_id, "language": "en"}
    session([{"type": "suggest", "q": "When will my card arrive?", "lang": "en"}, read], token)
    assert deflections(article) == 1
    session([read], token)  # the same visitor on another page of the site
    assert deflections(article) == 1
    session([{**read, "article": "no-such-article"}], token)
    assert deflections(article) == 1


def test_writing_after_reading_is_not_a_deflection(kb: dict[str, ArticleTranslation]) -> None:
    article = kb["refund"]
    read = {"type": "article_read", "article": article.article.public_id, "language": "en"}
    (ack,) = session([read, {"type": "message", "cid": "c1", "body": "The refund never came"}], new_visitor_token())
    assert ack["message"]["body"] == "The refund never came"
    assert deflections(article) == 0
