"""The answer bot on a messaging channel: a Telegram customer's question is answered in the ticket
thread and the answer goes out through the (fake, local) Telegram Bot API; asking for a person hands off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpline.assist.models import BotConversation, BotSettings
from helpline.knowledge.models import ArticleTranslation
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from tests.messaging.fake_providers import TELEGRAM_TOKEN, FakeProviders
from tests.messaging.helpers import make_account, webhook_path

pytestmark = pytest.mark.django_db
SECRET = "tg-bot-secret"


@pytest.fixture
def account(providers: FakeProviders, kb: dict[str, ArticleTranslation]) -> Any:
    BotSettings.objects.create(channels=["telegram"])
    return make_account("telegram", providers.url, bot_token=TELEGRAM_TOKEN, webhook_secret=SECRET)


def customer_writes(account: Any, update_id: int, text: str, commits: Any) -> None:
    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": {"id": 777, "is_bot": False, "first_name": "Bat", "language_code": "mn"},
            "chat": {"id": 777, "type": "private"},
            "date": 1700000000,
            "text": text,
        },
    }
    with commits():
        response = Client().generic(
            "POST",
            webhook_path(account),
            json.dumps(update).encode(),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 200


def test_telegram_question_answered_by_the_bot(account: Any, providers: FakeProviders, commits: Any) -> None:
    customer_writes(account, 1, "Нууц үгээ мартчихлаа, яах вэ?", commits)
    ticket = Ticket.objects.get()
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reply.meta["bot"]["article"] == "reset-password" and reply.delivery_status == DeliveryStatus.SENT
    (sent,) = providers.sent("/sendMessage")
    assert sent.json["chat_id"] == "777" and sent.json["text"] == reply.body_text
    assert "open the sign-in page" in sent.json["text"] and "/help/en/articles/" in sent.json["text"]
    assert ticket.language == "mn"

    customer_writes(account, 2, "хүнтэй ярих уу", commits)
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "asked_for_human"
    assert len(providers.sent("/sendMessage")) == 2
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).count() == 1
    assert {t.name for t in ticket.tags.all()} == {"bot-handoff"}
