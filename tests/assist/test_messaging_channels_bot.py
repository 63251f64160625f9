"""The answer bot on WhatsApp, SMS (Twilio) and Messenger, end to end through each provider's webhook and
the local fake of its API: a question answered with the article's words and link (delivered on the
channel), "no" twice hands off, asking for a person hands off at once; after a hand-off the bot stays quiet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from helpline.assist.models import BotConversation, BotSettings
from helpline.customers.models import Channel
from helpline.knowledge.models import ArticleTranslation
from helpline.messaging.models import ChannelAccount
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from tests.messaging.fake_providers import TWILIO_TOKEN, WHATSAPP_PHONE_ID, FakeProviders
from tests.messaging.helpers import messenger_account, post_meta, post_twilio, sms_account, whatsapp_account
from tests.messaging.test_messenger import event, page
from tests.messaging.test_sms import inbound
from tests.messaging.test_whatsapp import notification, text

pytestmark = pytest.mark.django_db


@dataclass
class Driver:
    channel: str
    make: Callable[[str], ChannelAccount]
    post: Callable[[ChannelAccount, str, str], Any]
    sent_marker: str
    sent_text: Callable[[Any], str]


DRIVERS = {
    "whatsapp": Driver(
        Channel.WHATSAPP,
        whatsapp_account,
        lambda account, mid, body: post_meta(account, notification(messages=[text(mid, body)])),
        f"/{WHATSAPP_PHONE_ID}/messages",
        lambda record: record.json["text"]["body"],
    ),
    "sms": Driver(
        Channel.SMS,
        sms_account,
        lambda account, mid, body: post_twilio(account, inbound(mid, body), token=TWILIO_TOKEN),
        "/Messages.json",
        lambda record: record.form["Body"],
    ),
    "messenger": Driver(
        Channel.MESSENGER,
        messenger_account,
        lambda account, mid, body: post_meta(account, page(event(message={"mid": mid, "text": body}))),
        "/me/messages",
        lambda record: record.json["message"]["text"],
    ),
}


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: Any) -> Driver:
    return DRIVERS[request.param]


@pytest.fixture
def account(driver: Driver, providers: FakeProviders, kb: dict[str, ArticleTranslation]) -> ChannelAccount:
    BotSettings.objects.create(channels=[driver.channel])
    return driver.make(providers.url)


class Customer:
    def __init__(self, driver: Driver, account: ChannelAccount, providers: FakeProviders, commits: Any):
        self.driver, self.account, self.providers, self.commits = driver, account, providers, commits
        self.count = 0

    def writes(self, text: str) -> None:
        self.count += 1
        with self.commits():
            response = self.driver.post(self.account, f"mid-{self.driver.channel}-{self.count}", text)
        assert response.status_code == 200

    def received(self) -> list[str]:
        return [self.driver.sent_text(r) for r in self.providers.sent(self.driver.sent_marker)]


@pytest.fixture
def customer(driver: Driver, account: ChannelAccount, providers: FakeProviders, commits: Any) -> Customer:
    return Customer(driver, account, providers, commits)


def bot_replies(ticket: Ticket) -> list[Message]:
    return list(ticket.messages.filter(kind=MessageKind.REPLY, meta__has_key="bot").order_by("pk"))


def test_answered_then_no_twice_hands_off(customer: Customer, driver: Driver) -> None:
    customer.writes("I forgot my password, what do I do?")
    ticket = Ticket.objects.get()
    assert ticket.channel == driver.channel
    (answer,) = bot_replies(ticket)
    assert answer.meta["bot"]["step"] == "answered" and answer.meta["bot"]["article"] == "reset-password"
    assert answer.delivery_status == DeliveryStatus.SENT
    (delivered,) = customer.received()
    assert delivered == answer.body_text
    assert "open the sign-in page" in delivered and "/help/en/articles/" in delivered

    customer.writes("no")
    assert bot_replies(ticket)[-1].meta["bot"]["step"] == "retry"
    customer.writes("Where is my new card?")
    assert bot_replies(ticket)[-1].meta["bot"]["article"] == "card-delivery"
    customer.writes("no, that did not help")
    last = bot_replies(ticket)[-1]
    assert last.meta["bot"] == {"step": "handed_off", "reason": "failed_tries"}
    assert ticket.reference in customer.received()[-1]
    assert len(customer.received()) == 4
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "failed_tries"
    assert {t.name for t in ticket.tags.all()} == {"bot-handoff"}
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1

    customer.writes("hello?")  # the bot stays quiet once a person has the conversation
    assert len(bot_replies(ticket)) == 4 and len(customer.received()) == 4
    assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 5


def test_asking_for_a_person_hands_off_at_once(customer: Customer) -> None:
    customer.writes("I want to talk to a real person")
    ticket = Ticket.objects.get()
    (reply,) = bot_replies(ticket)
    assert reply.meta["bot"] == {"step": "handed_off", "reason": "asked_for_human"}
    assert reply.delivery_status == DeliveryStatus.SENT and customer.received() == [reply.body_text]
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "asked_for_human"


def test_unanswerable_question_hands_off_on_low_confidence(customer: Customer) -> None:
    customer.writes("The parrot ate the remote control of my neighbour's tractor")
    ticket = Ticket.objects.get()
    (reply,) = bot_replies(ticket)
    assert reply.meta["bot"] == {"step": "handed_off", "reason": "low_confidence"}
    assert customer.received() == [reply.body_text]
