"""The bot's automatic first reply to a ticket opened by email (an admin option, off by default):
the best article's title, a snippet of its own words and its link, only when confident, and never
to auto-submitted mail (out-of-office replies, bulk mail, loops: see helpline.mail.loops)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from helpline.assist.answers import compose
from helpline.assist.config import answers_on, bot_settings
from helpline.assist.dialogue import confidence_of, search
from helpline.assist.smalltalk import is_small_talk
from helpline.core.actors import Actor
from helpline.customers.models import Channel

BOT_ACTOR = Actor.system("answer bot")


def is_auto_submitted(message: Any) -> bool:
    return bool(((message.meta or {}).get("email") or {}).get("auto"))


def email_first_reply(event: Any) -> bool:
    """Answer the first message of a ticket opened by email with the best article, when confident."""
    from helpline.tickets.actions import add_reply
    from helpline.tickets.models import Message, MessageKind, Ticket

    config = bot_settings()
    if not answers_on(config, Channel.EMAIL):
        return False
    message = Message.objects.filter(pk=event.message_id).first()
    if message is None or message.kind != MessageKind.INBOUND or message.channel != Channel.EMAIL:
        return False
    if is_auto_submitted(message):
        return False  # an automatic answer to an automatic message starts a loop
    ticket = Ticket.objects.get(pk=message.ticket_id)
    if ticket.messages.count() != 1:
        return False  # only the first message of a new ticket
    language = (message.meta or {}).get("language") or ticket.language or settings.LANGUAGE_CODE
    question = f"{ticket.subject}\n{message.body_text}"[:500]
    if is_small_talk(question):
        return False  # "Hello" / "thanks": nothing to answer with an article
    hits = search(question, language)
    if confidence_of(hits) < config.min_confidence:
        return False
    answer = compose(question=question, hits=hits, language=language, config=config)
    with translation.override(language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
        body = (
            _("This article may answer your question:")
            + f"\n\n{answer.text}\n\n"
            + _("If it does not, just reply and a person from our team will help.")
        )
    add_reply(actor=BOT_ACTOR, ticket=ticket, body_text=body)
    return True
