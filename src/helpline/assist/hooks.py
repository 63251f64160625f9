"""Language detection of every incoming message, right after it is committed: the message keeps
the detected language in its meta, and a customer whose language is unknown gets it. Detection
never blocks or breaks the write: any failure is logged and ignored."""

from __future__ import annotations

import logging

from django.conf import settings

from helpline.assist.language import detect_language
from helpline.core import hooks
from helpline.core.actors import Actor
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.tickets.models import EventKind, Message, MessageKind, TicketEvent

log = logging.getLogger("helpline.assist")
CUSTOMER_LANGUAGE_CONFIDENCE = 0.9


@hooks.register(TICKET_EVENT_HOOK)
def detect_message_language(event: TicketEvent) -> None:
    if event.kind != EventKind.MESSAGE_ADDED or not event.message_id:
        return
    try:
        message = Message.objects.select_related("author_customer").filter(pk=event.message_id).first()
        if message is None or message.kind != MessageKind.INBOUND or "language" in (message.meta or {}):
            return
        detection = detect_language(message.body_text[:2000])
        if not detection.language:
            return
        from helpline.tickets.actions import set_message_language

        set_message_language(
            actor=Actor.system("language"),
            message=message,
            language=detection.language,
            confidence=detection.confidence,
            method=detection.method,
        )
        customer = message.author_customer
        served = dict(settings.LANGUAGES)
        if (
            customer is not None
            and not customer.language
            and detection.language in served
            and detection.confidence >= CUSTOMER_LANGUAGE_CONFIDENCE
        ):
            from helpline.customers.actions import set_detected_language

            set_detected_language(actor=Actor.system("language"), customer=customer, language=detection.language)
    except Exception:  # never let detection affect the conversation
        log.exception("language detection failed for event %s", event.pk)


@hooks.register(TICKET_EVENT_HOOK)
def answer_new_email(event: TicketEvent) -> None:
    """Admin option HELPLINE_BOT_EMAIL_AUTOREPLY (off by default): a ticket opened by email gets an
    automatic first reply when a published article answers it confidently."""
    if not getattr(settings, "HELPLINE_BOT_EMAIL_AUTOREPLY", False) or event.kind != EventKind.MESSAGE_ADDED:
        return
    try:
        from helpline.assist.bot import email_first_reply

        email_first_reply(event)
    except Exception:
        log.exception("automatic first reply failed for event %s", event.pk)
