"""Greetings and thanks get an invitation to ask, never an article and never a hand-off (they are not
failed tries), in every served language; the questions after them are answered as before, in
the bot endpoint, in live chat and in the email first reply."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from helpline.assist.models import BotConversation, BotSettings
from helpline.knowledge.models import ArticleTranslation
from helpline.tickets.models import Message, MessageKind, Ticket
from tests.assist.test_bot import say
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db

ASK = "What can I help you with? Ask your question in a few words."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hi", "en"),
        ("hello", "en"),
        ("thanks", "en"),
        ("გამარჯობა", "ka"),
        ("сайн байна уу", "mn"),
        ("ሰላም", "am"),
        ("నమస్తే", "te"),
    ],
)
def test_greeting_gets_no_article_and_no_hand_off(
    client: Client, demo_kb: dict[str, int], text: str, language: str
) -> None:
    reply = say(client, text)
    with translation.override(language):
        asked = gettext(ASK)
    assert reply["kind"] == "prompt" and reply["article"] is None and reply["text"] == asked  # in their language
    assert language == "en" or asked != ASK
    conversation = BotConversation.objects.get(public_id=reply["conversation"])
    assert conversation.failed_tries == 0 and conversation.status == "open" and not Ticket.objects.exists()


def test_greetings_then_short_questions_are_answered(client: Client, demo_kb: dict[str, int]) -> None:
    BotSettings.objects.create(greetings={"mn": "Сайн байна уу! Би Helpline-ийн туслах."})
    hello = say(client, "сайн байна уу")
    assert hello["kind"] == "prompt" and hello["text"].startswith("Сайн байна уу! Би Helpline-ийн туслах.")
    again = say(client, "сайн уу", hello["conversation"])
    assert again["kind"] == "prompt"  # a second greeting is not a failed try either
    answer = say(client, "нууц үг мартсан", hello["conversation"])
    assert answer["kind"] == "answered" and answer["article"]["key"] == "password-reset"
    assert answer["article"]["language"] == "mn" and answer["language"] == "mn"
    telugu = say(client, "నమస్తే")
    assert telugu["kind"] == "prompt"
    answer = say(client, "రౌటర్ ఎరుపు లైట్", telugu["conversation"])
    assert answer["kind"] == "answered" and answer["article"]["key"] == "router-red-light"
    assert answer["article"]["language"] == "te"
    assert not Ticket.objects.exists()


def test_thanks_after_an_answer_still_resolves(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    answer = say(client, "I forgot my password")
    done = say(client, "thanks", answer["conversation"])
    assert done["kind"] == "resolved"


def test_live_chat_greeting_then_question(kb: dict[str, ArticleTranslation], commits: Any) -> None:
    from helpline.chat import actions as chat_actions

    BotSettings.objects.create(channels=["chat"], greetings={"en": "Hi, I am the Helpline bot."})
    with commits():
        chat_actions.post_visitor_message(visitor_id="v-hello", client_id="1", body="hello")
    ticket = Ticket.objects.get()
    greeting = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert greeting.body_text == f"Hi, I am the Helpline bot.\n\n{ASK}"
    assert greeting.meta["bot"]["step"] == "small_talk" and not ticket.tags.exists()
    with commits():
        chat_actions.post_visitor_message(visitor_id="v-hello", client_id="2", body="I forgot my password")
    answer = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("-id").first()
    assert answer is not None and answer.meta["bot"]["step"] == "answered"
    assert answer.meta["bot"]["article"] == "reset-password" and not answer.body_text.startswith("Hi, I am")
    assert BotConversation.objects.get(ticket=ticket).failed_tries == 0


def test_email_saying_hello_gets_no_article(kb: dict[str, ArticleTranslation], commits: Any) -> None:
    BotSettings.objects.create(channels=["email"])
    with commits():
        hello = make_ticket(make_customer(), subject="Hello", body_text="hi", channel="email")
        question = make_ticket(make_customer(), subject="Password", body_text="I forgot my password", channel="email")
    assert not Message.objects.filter(ticket=hello, kind=MessageKind.REPLY).exists()
    assert Message.objects.filter(ticket=question, kind=MessageKind.REPLY).exists()
