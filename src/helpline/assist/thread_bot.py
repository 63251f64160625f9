"""The answer bot in ticket threads: live chat and the messaging channels (Telegram, WhatsApp, SMS,
Messenger). While no agent has taken the conversation, each customer message gets the bot's reply
in the ticket's thread (so the channel delivers it and the agent later sees what was tried): an
article's own words and link, then "did this answer your question?". It hands off to a person on
low confidence, when asked for one, on an angry message or after two failed tries: a reply saying
so, an internal note with the reason and a `bot-handoff` tag; the ticket stays in the unassigned
queue (or is routed by its team's strategy) and the bot stays quiet on it from then on.

Messages without words get no search: a file, photo or voice message with no text goes to a person
(the bot can't read it); emoji, stickers and reactions get no reply, except a yes/no emoji after an
answer (feedback) and an angry one (hand-off)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpline.assist.answers import compose
from helpline.assist.config import answers_on, bot_settings, greeting
from helpline.assist.dialogue import Step, next_step, small_talk_reply
from helpline.assist.language import detect_language
from helpline.assist.models import BotConversation, BotSettings, ConversationStatus
from helpline.assist.signals import feedback, has_words, is_angry
from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message, MessageKind, Status, Ticket

log = logging.getLogger("helpline.assist")
BOT_ACTOR = Actor.system("answer bot")
THREAD_CHANNELS = (Channel.CHAT, Channel.TELEGRAM, Channel.WHATSAPP, Channel.SMS, Channel.MESSENGER)
HANDOFF_TAG = "bot-handoff"
RESOLVED_TAG = "bot-resolved"
REASONS = {
    "asked_for_human": gettext_lazy("the customer asked for a person"),
    "angry": gettext_lazy("the customer sounds upset"),
    "low_confidence": gettext_lazy("no article answers the question confidently"),
    "failed_tries": gettext_lazy("two answers did not help"),
    "attachment": gettext_lazy("the customer sent a file or voice message without text"),
}


def wants_answer(message: Message, config: BotSettings) -> bool:
    """A customer's message on a bot channel, on a ticket no agent has taken or answered."""
    ticket = message.ticket
    return (
        message.kind == MessageKind.INBOUND
        and message.channel in THREAD_CHANNELS
        and answers_on(config, message.channel)
        and (bool(message.body_text.strip()) or bool((message.meta or {}).get("no_text")))
        and ticket.assignee_id is None
        and ticket.merged_into_id is None
        and ticket.status != Status.CLOSED
        and not ticket.messages.filter(kind=MessageKind.REPLY, author_agent__isnull=False).exists()
    )


def content_of(message: Message) -> str:
    """What a customer's message holds: "words" to answer; a "file" (photo, document or voice message)
    without text; or "symbols": emoji, a sticker, a reaction, or a message the provider sent empty."""
    meta = message.meta or {}
    if meta.get("sticker"):
        return "symbols"
    if meta.get("no_text"):
        return "file" if message.attachments.exists() else "symbols"
    return "words" if has_words(message.body_text) else "symbols"


def _step(conversation: BotConversation, message: Message, language: str, config: BotSettings) -> Step | None:
    """What to do with the message; None to stay quiet."""
    content = content_of(message)
    if content == "file":
        return Step("hand_off", "attachment")
    text = message.body_text
    if (
        content == "symbols"
        and not is_angry(text)
        and not (conversation.last_article_key and feedback(text) is not None)
    ):
        return None
    return next_step(conversation, text, language, config)


def _language(message: Message) -> str:
    served = dict(settings.LANGUAGES)
    for code in (
        (message.meta or {}).get("language"),
        detect_language(message.body_text[:2000]).language,
        message.ticket.language,
        message.ticket.requester.language,
    ):
        if code and code in served:
            return str(code)
    return settings.LANGUAGE_CODE


def _conversation(ticket: Ticket) -> BotConversation:
    conversation = BotConversation.objects.select_for_update().filter(ticket=ticket).order_by("pk").first()
    if conversation is None:
        conversation = BotConversation.objects.create(
            ticket=ticket, channel=ticket.channel, customer=ticket.requester, language=ticket.language
        )
    return conversation


def answer_message(message_id: int) -> str:
    """Reply to one customer message; returns what the bot did ("" when it stays quiet)."""
    message = Message.objects.select_related("ticket", "ticket__requester").filter(pk=message_id).first()
    config = bot_settings()
    if message is None or not wants_answer(message, config):
        return ""
    language = _language(message)
    with transaction.atomic():
        conversation = _conversation(message.ticket)
        if conversation.status == ConversationStatus.HANDED_OFF or message.pk in conversation.transcript_ids():
            return ""
        first = not conversation.transcript
        step = _step(conversation, message, language, config)
        if step is None:
            return ""
        conversation.language = language
        conversation.transcript = [*conversation.transcript, {"message": message.pk}][-60:]
        with translation.override(language):
            reply = _say(conversation, message, step, config, language, greet=first)
        conversation.save()
    opening = not Message.objects.filter(ticket_id=message.ticket_id, pk__lt=message.pk).exists()
    if message.ticket.channel == Channel.CHAT and opening:
        transaction.on_commit(lambda: _show_in_new_chat(message.ticket, reply))
    return step.kind


def _reply(ticket: Ticket, text: str, **bot: Any) -> Message:
    return ticket_actions.add_message(
        actor=BOT_ACTOR, ticket=ticket, kind=MessageKind.REPLY, body_text=text, meta={"bot": bot}
    )


def _say(
    conversation: BotConversation, message: Message, step: Step, config: BotSettings, language: str, *, greet: bool
) -> Message:
    ticket = message.ticket
    hello = greeting(config, language) if greet else ""
    prefix = f"{hello}\n\n" if hello else ""
    if step.kind == "resolved":
        reply = _reply(ticket, prefix + _("Glad that helped! Write again any time."), step="resolved")
        ticket_actions.update_ticket(actor=BOT_ACTOR, ticket=ticket, status=Status.SOLVED, add_tags=[RESOLVED_TAG])
        return reply
    if step.kind == "small_talk":
        return _reply(ticket, small_talk_reply(hello), step="small_talk")
    if step.kind == "retry":
        text = _("Sorry about that. Could you describe the problem in other words?")
        return _reply(ticket, prefix + text, step="retry")
    if step.kind == "hand_off":
        return _hand_off(conversation, ticket, step, prefix)
    answer = compose(question=message.body_text, hits=step.hits, language=language, config=config)
    conversation.last_article_key = answer.article["key"]
    text = f"{prefix}{answer.text}\n\n" + _("Did this answer your question?")
    return _reply(
        ticket,
        text,
        step="answered",
        article=answer.article["key"],
        url=answer.article["url"],
        confidence=step.confidence,
        generated=answer.generated,
    )


def _hand_off(conversation: BotConversation, ticket: Ticket, step: Step, prefix: str) -> Message:
    conversation.status = ConversationStatus.HANDED_OFF
    conversation.handoff_reason = step.reason
    conversation.last_article_key = ""
    reply = _reply(
        ticket,
        prefix
        + _("A person from our team will take it from here. Your reference is %(ref)s.") % {"ref": ticket.reference},
        step="handed_off",
        reason=step.reason,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the note is for the desk
        note = _("The answer bot handed this conversation to a person: %(reason)s.") % {
            "reason": REASONS.get(step.reason, step.reason)
        }
    ticket_actions.add_internal_note(actor=BOT_ACTOR, ticket=ticket, body_text=note)
    ticket_actions.update_ticket(actor=BOT_ACTOR, ticket=ticket, add_tags=[HANDOFF_TAG])
    transaction.on_commit(lambda: _route(ticket.pk))
    return reply


def _route(ticket_id: int) -> None:
    """The team's routing strategy, if any, picks an agent; otherwise the ticket waits unassigned."""
    from helpline.workflow.routing import route_ticket

    ticket = Ticket.objects.select_related("requester").prefetch_related("tags").get(pk=ticket_id)
    try:
        route_ticket(ticket=ticket)
    except Exception:
        log.exception("routing after a bot hand-off failed for ticket %s", ticket_id)


def _show_in_new_chat(ticket: Ticket, reply: Message) -> None:
    """A visitor's socket joins the ticket's group only once its first message is acknowledged, so a
    reply to that first message is also sent to the visitor's own group (the widget keys messages by
    id: a second copy is harmless)."""
    from helpline.chat.consumers import visitor_group
    from helpline.chat.models import Conversation
    from helpline.core.realtime import send_to_group

    payload = {"type": "ticket.changed", "event": "message_added", "ticket": ticket.public_id}
    for visitor_id in Conversation.objects.filter(ticket=ticket).values_list("visitor_id", flat=True):
        send_to_group(visitor_group(visitor_id), {**payload, "message": reply.public_id})
