"""The answer bot in live chat, over the real visitor WebSocket: answered (and resolved), not
answered -> hand-off, "agent please" -> hand-off, angry -> hand-off; two failed tries -> hand-off.
Everything stays in the chat ticket's thread, and the hand-off is visible to agents."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from helpline.asgi import application
from helpline.assist.models import BotConversation, BotSettings
from helpline.chat import actions as chat_actions
from helpline.chat.tokens import new_visitor_token
from helpline.core.actors import Actor
from helpline.knowledge.models import ArticleTranslation
from helpline.tickets.models import EventKind, Message, MessageKind, Status, Ticket, TicketEvent
from tests.factories import make_agent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_worker_connections() -> Iterator[None]:
    yield
    gc.collect()  # consumers' worker-thread connections: PostgreSQL must be able to drop the test database


@pytest.fixture
def bot_on(kb: dict[str, ArticleTranslation]) -> BotSettings:
    return BotSettings.objects.create(channels=["chat"], greetings={"en": "Hi, I am the Helpline bot."})


async def _next_of(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        data = await communicator.receive_json_from(timeout=20)
        if data.get("type") == kind:
            return data


def chat(*texts: str) -> list[str]:
    """Send each text from one visitor and return the bot's reply to each, as the widget shows it."""

    async def run() -> list[str]:
        communicator = WebsocketCommunicator(
            application, f"/ws/chat/?token={new_visitor_token()}", headers=[(b"origin", b"https://shop.example")]
        )
        connected, _code = await communicator.connect(timeout=20)
        assert connected
        await _next_of(communicator, "welcome")
        replies = []
        for n, text in enumerate(texts):
            await communicator.send_json_to({"type": "message", "cid": f"c{n}", "body": text})
            await _next_of(communicator, "ack")
            pushed = await _next_of(communicator, "message")
            while pushed["message"]["from"] != "agent":  # the visitor's own message, echoed to other tabs
                pushed = await _next_of(communicator, "message")
            replies.append(pushed["message"]["body"])
        await communicator.disconnect()
        return replies

    return async_to_sync(run)()


def thread(ticket: Ticket) -> list[tuple[str, str]]:
    return [(m.kind, m.body_text) for m in Message.objects.filter(ticket=ticket).order_by("id")]


def test_answered_with_the_article_then_resolved(bot_on: BotSettings) -> None:
    answer, thanks = chat("I forgot my password", "yes, thanks")
    assert answer.startswith("Hi, I am the Helpline bot.")
    assert "Reset your password" in answer and "open the sign-in page" in answer
    assert "/help/en/articles/" in answer and answer.endswith("Did this answer your question?")
    assert thanks == "Glad that helped! Write again any time."
    ticket = Ticket.objects.get()
    assert [kind for kind, _body in thread(ticket)][:4] == ["inbound", "reply", "inbound", "reply"]
    assert ticket.status == Status.SOLVED and ticket.assignee is None
    assert {t.name for t in ticket.tags.all()} == {"bot-resolved"}
    reply = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).first()
    assert reply is not None and reply.meta["bot"]["article"] == "reset-password"


def test_not_answered_hands_off_to_the_queue(bot_on: BotSettings) -> None:
    (handoff,) = chat("Do you sell garden furniture in bulk for hotels?")
    ticket = Ticket.objects.get()
    assert handoff.endswith(f"A person from our team will take it from here. Your reference is {ticket.reference}.")
    kinds = [kind for kind, _body in thread(ticket)]
    assert kinds == ["inbound", "reply", "note"]
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert "no article answers the question confidently" in note.body_text
    assert ticket.assignee is None and {t.name for t in ticket.tags.all()} == {"bot-handoff"}
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TAGS_CHANGED, actor_label="answer bot").exists()
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "low_confidence"
    # From now on people answer: the bot stays quiet.
    chat_actions.post_visitor_message(
        visitor_id=ticket.chat_conversations.get().visitor_id, client_id="later", body="Anyone?"
    )
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).count() == 1


def test_agent_please_hands_off(bot_on: BotSettings) -> None:
    (handoff,) = chat("agent please")
    assert handoff.startswith("Hi, I am the Helpline bot.") and "A person from our team" in handoff
    assert BotConversation.objects.get().handoff_reason == "asked_for_human"
    assert "the customer asked for a person" in Message.objects.get(kind=MessageKind.NOTE).body_text


def test_angry_message_hands_off_after_an_answer(bot_on: BotSettings) -> None:
    answer, handoff = chat("When will my card arrive?", "This is ridiculous, it has been three weeks")
    assert "5 to 7 business days" in answer
    assert "A person from our team" in handoff
    assert BotConversation.objects.get().handoff_reason == "angry"


def test_georgian_visitor_gets_a_georgian_answer_and_hand_off(bot_on: BotSettings) -> None:
    answer, handoff = chat("მინდა გამოწერის გაუქმება", "ოპერატორთან მინდა საუბარი")
    assert "გამოწერის გაუქმება" in answer and "/help/ka/articles/" in answer
    assert Ticket.objects.get().language == "ka"
    assert handoff.startswith("ჩვენი გუნდის")
    assert BotConversation.objects.get().handoff_reason == "asked_for_human"


def test_two_failed_tries_hand_off(bot_on: BotSettings) -> None:
    first, retry, second, handoff = chat("When will my card arrive?", "no", "I forgot my password", "no, it did not")
    assert "5 to 7 business days" in first and "other words" in retry and "Reset your password" in second
    assert "A person from our team" in handoff
    assert BotConversation.objects.get().handoff_reason == "failed_tries"
    ticket = Ticket.objects.get()
    assert [kind for kind, _body in thread(ticket)] == ["inbound", "reply"] * 4 + ["note"]


def test_quiet_when_off_or_when_an_agent_has_the_chat(kb: dict[str, ArticleTranslation]) -> None:
    chat_actions.post_visitor_message(visitor_id="v-off", client_id="1", body="I forgot my password")
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()  # off by default
    BotSettings.objects.create(channels=["chat"])
    agent = make_agent()
    chat_actions.set_chat_status(actor=Actor.of_agent(agent), status="online")
    chat_actions.post_visitor_message(visitor_id="v-taken", client_id="1", body="I forgot my password")
    taken = Ticket.objects.get(chat_conversations__visitor_id="v-taken")
    assert taken.assignee == agent and not taken.messages.filter(kind=MessageKind.REPLY).exists()
