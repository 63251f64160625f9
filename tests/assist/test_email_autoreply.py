from __future__ import annotations

from typing import Any

import pytest

from helpline.knowledge.models import ArticleTranslation
from helpline.tickets.models import Message, MessageKind
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_off_by_default(kb: dict[str, ArticleTranslation], commits: Any) -> None:
    with commits():
        ticket = make_ticket(
            make_customer(), subject="Forgot password", body_text="I forgot my password", channel="email"
        )
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).exists()


def test_confident_email_gets_the_article(kb: dict[str, ArticleTranslation], commits: Any, settings: Any) -> None:
    settings.HELPLINE_BOT_EMAIL_AUTOREPLY = True
    with commits():
        answered = make_ticket(make_customer(), subject="Password", body_text="I forgot my password", channel="email")
        unsure = make_ticket(
            make_customer(), subject="Garden", body_text="Do you sell garden furniture?", channel="email"
        )
        web = make_ticket(make_customer(), subject="Password", body_text="I forgot my password", channel="web")
    reply = Message.objects.get(ticket=answered, kind=MessageKind.REPLY)
    assert "Reset your password" in reply.body_text and "/help/en/articles/" in reply.body_text
    assert not Message.objects.filter(ticket__in=[unsure, web], kind=MessageKind.REPLY).exists()


def test_auto_submitted_mail_gets_no_automatic_reply(kb: dict[str, ArticleTranslation], commits: Any) -> None:
    from helpline.assist.models import BotSettings

    BotSettings.objects.create(channels=["email"])
    with commits():
        auto = make_ticket(
            make_customer(),
            subject="Out of office: password",
            body_text="I forgot my password",
            channel="email",
            meta={"email": {"message_id": "<a@x>", "auto": "auto-submitted"}},
        )
        person = make_ticket(
            make_customer(),
            subject="Password",
            body_text="I forgot my password",
            channel="email",
            meta={"email": {"message_id": "<b@x>", "auto": ""}},
        )
    assert not Message.objects.filter(ticket=auto, kind=MessageKind.REPLY).exists()
    assert Message.objects.filter(ticket=person, kind=MessageKind.REPLY).count() == 1
