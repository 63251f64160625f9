"""A scripted chat with the answer bot: answered, not answered -> hand-off, "agent please" ->
hand-off, angry -> hand-off, two failed tries -> hand-off; the exchange lands in the ticket."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.assist.models import BotConversation
from helpline.knowledge.models import ArticleTranslation
from helpline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def say(client: Client, text: str, conversation: str = "", **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/bot/messages", {"conversation": conversation, "text": text, **extra}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_answered_then_resolved(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "I forgot my password")
    assert reply["kind"] == "answered" and reply["article"]["key"] == "reset-password"
    assert reply["confidence"] >= 0.68 and reply["language"] == "en"
    # The bot answers with the article's own words and link.
    assert "open the sign-in page" in reply["text"] and reply["article"]["url"] in reply["text"]
    done = say(client, "yes, thanks", reply["conversation"])
    assert done["kind"] == "resolved" and done["status"] == "resolved"
    assert not Ticket.objects.exists()


def test_answers_in_other_languages(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "నా కార్డు ఎప్పుడు వస్తుంది?")
    assert reply["kind"] == "answered" and reply["article"]["key"] == "card-delivery" and reply["language"] == "te"
    reply = say(client, "მინდა გამოწერის გაუქმება")
    assert reply["article"]["key"] == "cancel-subscription" and reply["article"]["language"] == "ka"


def test_not_answered_hands_off_with_the_conversation(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "Do you sell garden furniture in bulk for hotels?")
    assert reply["kind"] == "need_contact" and reply["reason"] == "low_confidence"
    handed = say(client, "me@example.com", reply["conversation"])
    assert handed["kind"] == "handed_off" and handed["ticket"]
    ticket = Ticket.objects.get()
    assert ticket.subject == "Do you sell garden furniture in bulk for hotels?" and ticket.channel == "chat"
    first = Message.objects.get(ticket=ticket)
    assert "garden furniture" in first.body_text and "What email address" in first.body_text
    assert first.meta["bot"]["reason"] == "low_confidence"
    # Later messages go to the same ticket.
    more = say(client, "Also chairs", reply["conversation"])
    assert more["kind"] == "forwarded" and Message.objects.filter(ticket=ticket).count() == 2


def test_agent_please_hands_off(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "agent please", email="ana@example.com", name="Ana")
    assert reply["kind"] == "handed_off" and reply["reason"] == "asked_for_human"
    ticket = Ticket.objects.get()
    assert ticket.requester.name == "Ana"
    reply = say(client, "მინდა ოპერატორთან საუბარი", email="gio@example.com")
    assert reply["kind"] == "handed_off" and reply["reason"] == "asked_for_human" and reply["language"] == "ka"


def test_angry_message_hands_off(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "This is ridiculous, my card STILL has not arrived", email="x@example.com")
    assert reply["kind"] == "handed_off" and reply["reason"] == "angry"
    reply = say(client, "WHERE IS MY MONEY, ANSWER NOW", email="y@example.com")
    assert reply["reason"] == "angry"


def test_two_failed_tries_hand_off(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    reply = say(client, "When will my card arrive?", email="z@example.com")
    assert reply["kind"] == "answered"
    conversation = reply["conversation"]
    assert say(client, "no", conversation)["kind"] == "retry"
    again = say(client, "I forgot my password", conversation)
    assert again["kind"] == "answered"
    final = say(client, "no, that did not help", conversation)
    assert final["kind"] == "handed_off" and final["reason"] == "failed_tries"
    body = Message.objects.get(ticket__requester__identities__value="z@example.com").body_text
    assert body.count("Customer:") == 4 and "When will my card arrive?" in body
    assert BotConversation.objects.get(public_id=conversation).status == "handed_off"


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "a\x00b"])
def test_bad_messages_get_a_clear_error(client: Client, text: str) -> None:
    response = client.post("/api/bot/messages", {"text": text}, content_type="application/json")
    assert response.status_code in (400, 422) and "error" in response.json()


def test_unknown_conversation_is_404(client: Client) -> None:
    response = client.post("/api/bot/messages", {"conversation": "nope", "text": "hi"}, content_type="application/json")
    assert response.status_code == 404
