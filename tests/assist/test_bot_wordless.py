"""Messages without words to the answer bot: stickers, emoji and reactions get no reply (a thumbs-up
after an answer is a yes, an angry face hands off), a photo, document or voice message without text
goes to a person, and the bot endpoint asks for words instead of searching for emoji."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.assist.bot import converse, start_conversation
from helpline.assist.models import BotConversation, BotSettings
from helpline.assist.signals import has_words
from helpline.knowledge.models import ArticleTranslation
from helpline.messaging.models import ChannelAccount
from helpline.tickets.models import Message, MessageKind, Status, Ticket
from tests.messaging.fake_providers import TELEGRAM_TOKEN, WHATSAPP_PHONE_ID, FakeProviders
from tests.messaging.helpers import make_account, post_meta, whatsapp_account
from tests.messaging.test_telegram import SECRET, post, update
from tests.messaging.test_whatsapp import WA_ID, notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def telegram(providers: FakeProviders, kb: dict[str, ArticleTranslation]) -> ChannelAccount:
    BotSettings.objects.create(channels=["telegram", "whatsapp"])
    return make_account("telegram", providers.url, bot_token=TELEGRAM_TOKEN, webhook_secret=SECRET)


@pytest.fixture
def whatsapp(providers: FakeProviders, kb: dict[str, ArticleTranslation]) -> ChannelAccount:
    BotSettings.objects.create(channels=["telegram", "whatsapp"])
    return whatsapp_account(providers.url)


def telegram_sends(account: ChannelAccount, update_id: int, commits: Any, **content: Any) -> None:
    with commits():
        assert post(account, update(update_id, update_id, **content)).status_code == 200


def whatsapp_sends(account: ChannelAccount, mid: str, commits: Any, kind: str, **content: Any) -> None:
    message = {"from": WA_ID, "id": mid, "timestamp": "1700000000", "type": kind, **content}
    with commits():
        assert post_meta(account, notification(messages=[message])).status_code == 200


def bot_steps(ticket: Ticket) -> list[str]:
    replies = ticket.messages.filter(kind=MessageKind.REPLY, meta__has_key="bot").order_by("pk")
    return [m.meta["bot"]["step"] for m in replies]


def test_words_in_any_script_but_not_emoji_or_punctuation() -> None:
    assert all(has_words(t) for t in ("ok", "კი", "አዎ", "тийм", "అవును", "42"))
    assert not any(has_words(t) for t in ("👍", "😀😀😀", "?!", "🙏🏽 ❤️", ""))


def test_sticker_and_emoji_get_no_reply_until_a_question(
    telegram: ChannelAccount, providers: FakeProviders, commits: Any
) -> None:
    sticker = {"file_id": "STK1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512, "emoji": "😀"}
    telegram_sends(telegram, 1, commits, sticker=sticker)
    ticket = Ticket.objects.get()
    assert ticket.messages.get().meta["sticker"] is True
    telegram_sends(telegram, 2, commits, text="🙂🙂")
    telegram_sends(telegram, 3, commits, text="?")
    assert bot_steps(ticket) == [] and providers.sent("/sendMessage") == []
    assert not BotConversation.objects.filter(ticket=ticket).exclude(transcript=[]).exists()

    telegram_sends(telegram, 4, commits, text="I forgot my password")
    assert bot_steps(ticket) == ["answered"]
    telegram_sends(telegram, 5, commits, text="👍")  # after an answer: yes, that helped
    assert bot_steps(ticket) == ["answered", "resolved"]
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert len(providers.sent("/sendMessage")) == 2


def test_angry_emoji_hands_off(telegram: ChannelAccount, commits: Any) -> None:
    telegram_sends(telegram, 1, commits, text="😡😡")
    ticket = Ticket.objects.get()
    assert bot_steps(ticket) == ["handed_off"]
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "angry"


def test_voice_message_without_text_goes_to_a_person(telegram: ChannelAccount, commits: Any) -> None:
    voice = {"file_id": "VOICE1", "file_unique_id": "v1", "duration": 4, "mime_type": "audio/ogg"}
    telegram_sends(telegram, 1, commits, voice=voice)
    ticket = Ticket.objects.get()
    assert ticket.messages.get(kind=MessageKind.INBOUND).attachments.count() == 1
    assert bot_steps(ticket) == ["handed_off"]
    conversation = BotConversation.objects.get(ticket=ticket)
    assert conversation.handoff_reason == "attachment"
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "file or voice message without text" in note.body_text


def test_photo_with_a_caption_is_a_question(telegram: ChannelAccount, commits: Any) -> None:
    photo = [{"file_id": "PH1", "file_unique_id": "p1", "width": 90, "height": 90, "file_size": 64}]
    telegram_sends(telegram, 1, commits, photo=photo, caption="When will my card arrive?")
    ticket = Ticket.objects.get()
    assert bot_steps(ticket) == ["answered"]
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.meta["bot"]["article"] == "card-delivery"


def test_whatsapp_sticker_quiet_reaction_is_feedback_image_hands_off(
    whatsapp: ChannelAccount, providers: FakeProviders, commits: Any
) -> None:
    whatsapp_sends(whatsapp, "wamid.1", commits, "sticker", sticker={"id": "media1", "mime_type": "image/webp"})
    ticket = Ticket.objects.get()
    first = ticket.messages.get()
    assert first.meta["sticker"] is True and first.attachments.count() == 1
    whatsapp_sends(whatsapp, "wamid.2", commits, "contacts", contacts=[{"name": {"formatted_name": "Ana"}}])
    assert ticket.messages.get(external_id="wamid.2").meta["no_text"] is True
    assert bot_steps(ticket) == []

    whatsapp_sends(whatsapp, "wamid.3", commits, "text", text={"body": "I forgot my password"})
    answer = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    whatsapp_sends(whatsapp, "wamid.4", commits, "reaction", reaction={"message_id": answer.external_id, "emoji": "👎"})
    assert bot_steps(ticket) == ["answered", "retry"]  # a thumbs-down is a no

    whatsapp_sends(whatsapp, "wamid.5", commits, "image", image={"id": "media2", "mime_type": "image/jpeg"})
    assert bot_steps(ticket) == ["answered", "retry", "handed_off"]
    assert BotConversation.objects.get(ticket=ticket).handoff_reason == "attachment"
    assert len(providers.sent(f"/{WHATSAPP_PHONE_ID}/messages")) == 3


def test_bot_endpoint_asks_for_words_without_counting_a_failed_try(kb: dict[str, ArticleTranslation]) -> None:
    conversation = start_conversation()
    reply = converse(conversation=conversation, text="🤔🤔")
    assert reply.kind == "prompt" and reply.conversation.failed_tries == 0
    reply = converse(conversation=conversation, text="I forgot my password")
    assert reply.kind == "answered" and reply.article is not None and reply.article["key"] == "reset-password"
    assert converse(conversation=conversation, text="👍").kind == "resolved"
