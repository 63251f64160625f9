"""The answer bot: answers a customer's question with the best published article's own words and
its link, asks whether that solved it, and hands off to a human (a ticket holding the whole
exchange) on low confidence, when asked for a person, on an angry message or after two failed tries.

It never writes text of its own about the subject: answers are the article's title, a snippet of
its published text and its URL. Use `converse()`; chat, messaging and email adapters call it with
the customer's message and show `BotReply.text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.assist.answers import compose
from helpline.assist.config import bot_settings, greeting
from helpline.assist.dialogue import next_step, small_talk_reply
from helpline.assist.language import detect_language
from helpline.assist.models import BotConversation, ConversationStatus
from helpline.assist.signals import feedback, has_words, is_angry
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.customers.models import Channel, Customer

MAX_MESSAGE = 2000
MAX_TURNS = 60


@dataclass
class BotReply:
    kind: str  # answered | resolved | retry | prompt | handed_off | need_contact | forwarded
    text: str
    conversation: BotConversation
    confidence: float = 0.0
    article: dict[str, Any] | None = None
    ticket_reference: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _clean(text: str) -> str:
    text = text or ""
    if "\x00" in text:
        raise InvalidInputError(_("The message contains binary data."), code="message_binary")
    text = text.strip()
    if not text:
        raise InvalidInputError(_("The message is empty."), code="message_empty")
    if len(text) > MAX_MESSAGE:
        raise InvalidInputError(
            _("The message is too long; keep it under %(limit)d characters.") % {"limit": MAX_MESSAGE},
            code="message_too_long",
        )
    return text


def _turn(conversation: BotConversation, role: str, text: str, **extra: Any) -> None:
    conversation.transcript = [
        *conversation.transcript[-(MAX_TURNS - 1) :],
        {"role": role, "text": text, "at": timezone.now().isoformat(), **extra},
    ]


def start_conversation(
    *, channel: str = Channel.CHAT, customer: Customer | None = None, language: str = ""
) -> BotConversation:
    if channel not in Channel.values:
        raise InvalidInputError(_("Unknown channel."), code="invalid_channel")
    return BotConversation.objects.create(channel=channel, customer=customer, language=language)


def converse(*, conversation: BotConversation, text: str, email: str = "", name: str = "") -> BotReply:
    """One customer message in, one bot reply out; the conversation is saved."""
    text = _clean(text)
    with transaction.atomic():
        conversation = BotConversation.objects.select_for_update().get(pk=conversation.pk)
        detected = detect_language(text)
        if detected.language:
            conversation.language = detected.language
        language = conversation.language or settings.LANGUAGE_CODE
        with translation.override(language):
            reply = _respond(conversation, text, language, email=email.strip(), name=name.strip())
        _turn(conversation, "bot", reply.text, kind=reply.kind, article=(reply.article or {}).get("url", ""))
        conversation.save()
    reply.conversation = conversation
    return reply


def _respond(conversation: BotConversation, text: str, language: str, *, email: str, name: str) -> BotReply:
    if conversation.status == ConversationStatus.HANDED_OFF and conversation.ticket is not None:
        _turn(conversation, "customer", text)
        return _forward_to_ticket(conversation, text)
    _turn(conversation, "customer", text)
    if email:
        conversation.contact = email[:254]
    email = email or conversation.contact
    if conversation.pending_handoff:
        return _hand_off(conversation, conversation.pending_handoff, email=email or text, name=name)
    if (
        not has_words(text)
        and not is_angry(text)
        and not (conversation.last_article_key and feedback(text) is not None)
    ):
        # emoji or punctuation only: nothing to search for, and not a failed try
        return BotReply("prompt", _("Type a question or a few words to search for."), conversation)
    config = bot_settings()
    step = next_step(conversation, text, language, config)
    if step.kind == "resolved":
        return BotReply("resolved", _("Glad that helped! Write again any time."), conversation)
    if step.kind == "small_talk":
        return BotReply("prompt", small_talk_reply(greeting(config, language)), conversation)
    if step.kind == "retry":
        return BotReply("retry", _("Sorry about that. Could you describe the problem in other words?"), conversation)
    if step.kind == "hand_off":
        return _hand_off(conversation, step.reason, email=email, name=name, confidence=step.confidence)
    answer = compose(question=text, hits=step.hits, language=language, config=config)
    conversation.last_article_key = answer.article["key"]
    body = f"{answer.text}\n\n" + _("Did this answer your question?")
    return BotReply("answered", body, conversation, confidence=step.confidence, article=answer.article)


HANDOFF_REASONS = {
    "asked_for_human": "You asked for a person",
    "angry": "Sorry for the trouble",
    "low_confidence": "I could not find an answer",
    "failed_tries": "The articles did not help",
}


def _hand_off(
    conversation: BotConversation, reason: str, *, email: str, name: str, confidence: float = 0.0
) -> BotReply:
    from helpline.customers.actions import resolve_customer

    customer = conversation.customer
    if customer is None:
        address = email if "@" in email else ""
        if not address:
            conversation.pending_handoff = reason
            return BotReply(
                "need_contact",
                _("I'll pass you to a person. What email address can we reach you at?"),
                conversation,
                confidence=confidence,
                reason=reason,
            )
        try:
            customer, _created = resolve_customer(
                kind="email", value=address, name=name, language=conversation.language, channel=conversation.channel
            )
        except InvalidInputError:
            conversation.pending_handoff = reason
            return BotReply(
                "need_contact", _("That address does not look right; please check it."), conversation, reason=reason
            )
        conversation.customer = customer
    ticket = _open_ticket(conversation, customer, reason)
    conversation.ticket = ticket
    conversation.status = ConversationStatus.HANDED_OFF
    conversation.pending_handoff = ""
    conversation.last_article_key = ""
    text = _("A person from our team will take it from here. Your reference is %(ref)s.") % {"ref": ticket.reference}
    return BotReply(
        "handed_off", text, conversation, confidence=confidence, ticket_reference=ticket.reference, reason=reason
    )


def transcript_text(conversation: BotConversation) -> str:
    lines = []
    for turn in conversation.transcript:
        who = _("Customer") if turn["role"] == "customer" else _("Answer bot")
        lines.append(f"{who}: {turn['text']}")
    return "\n\n".join(lines)


def _open_ticket(conversation: BotConversation, customer: Customer, reason: str) -> Any:
    from helpline.tickets.actions import open_ticket

    questions = [t["text"] for t in conversation.transcript if t["role"] == "customer" and "@" not in t["text"]]
    subject = (questions[0] if questions else _("Conversation with the answer bot"))[:120]
    return open_ticket(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject=subject,
        body_text=transcript_text(conversation),
        channel=conversation.channel,
        language=conversation.language if conversation.language in dict(settings.LANGUAGES) else "",
        meta={
            "bot": {
                "conversation": conversation.public_id,
                "reason": reason,
                "failed_tries": conversation.failed_tries,
                "transcript": conversation.transcript,
            }
        },
    )


def _forward_to_ticket(conversation: BotConversation, text: str) -> BotReply:
    from helpline.tickets.actions import add_message
    from helpline.tickets.models import MessageKind

    assert conversation.ticket is not None and conversation.customer is not None
    add_message(
        actor=Actor.of_customer(conversation.customer),
        ticket=conversation.ticket,
        kind=MessageKind.INBOUND,
        body_text=text,
        channel=conversation.channel,
    )
    return BotReply(
        "forwarded",
        _("Thanks, we added this to your request %(ref)s.") % {"ref": conversation.ticket.reference},
        conversation,
        ticket_reference=conversation.ticket.reference,
    )
