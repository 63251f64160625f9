"""Subscribers of ticket events in the assist app, in this order:

1. Language detection of every incoming message, right after it is committed: the message keeps
   the detected language in its meta; the ticket (when its language is unknown) and the customer
   (when theirs is unknown) get it. On a new ticket this runs before the workflow's routing (the
   assist app comes first), so a team routing on skills sees `lang:<code>`.
2. The answer bot in chat and messaging threads (queued as a task).
3. The bot's automatic first reply to email (an admin option).

None of them ever blocks or breaks the write: any failure is logged and ignored."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from helpline.assist.language import Detection, detect_language, dominant_script
from helpline.core import batching, hooks
from helpline.core.actors import Actor
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.tickets.models import EventKind, Message, MessageKind, TicketEvent

log = logging.getLogger("helpline.assist")
LANGUAGE_ACTOR = Actor.system("language")
CUSTOMER_LANGUAGE_CONFIDENCE = 0.9
TICKET_LANGUAGE_LETTERS = 8  # "Hi" or "ok" says too little to route a ticket by


def _incoming_message(event: TicketEvent) -> Message | None:
    """The customer's message an event brings, not yet looked at. A message's event comes with it
    (loaded with the event); a new ticket's first message is read (routing on "created" needs its
    language), and the same message's own event later in the batch is then skipped."""
    detected: set[int] = batching.memo("assist.detected_messages", set)
    if event.kind == EventKind.MESSAGE_ADDED and event.message_id:
        if event.message_id in detected or event.data.get("kind") != MessageKind.INBOUND:
            return None
        message = event.message
        if message is not None and message.ticket_id == event.ticket_id:
            message.ticket = event.ticket
        if message is not None and message.author_customer_id and message.author_customer_id == event.actor_customer_id:
            message.author_customer = event.actor_customer
    elif event.kind == EventKind.CREATED:
        query = Message.objects.filter(ticket_id=event.ticket_id).order_by("id")[:1]
        message = query.select_related("author_customer", "ticket").first()
    else:
        return None
    if message is None or message.pk in detected:
        return None
    detected.add(message.pk)
    if message.kind != MessageKind.INBOUND or "language" in (message.meta or {}):
        return None
    return message


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def detect_message_language(event: TicketEvent) -> None:
    try:
        message = _incoming_message(event)
        if message is None:
            return
        detection = detect_language(message.body_text[:2000])
        if not detection.language:
            return
        with transaction.atomic():  # message, ticket and customer written in one commit
            _keep_language(message, detection)
    except Exception:  # never let detection affect the conversation
        log.exception("language detection failed for event %s", event.pk)


def _keep_language(message: Message, detection: Detection) -> None:
    from helpline.assist.actions import set_detected_ticket_language
    from helpline.customers.actions import set_detected_language
    from helpline.tickets.actions import set_message_language

    set_message_language(
        actor=LANGUAGE_ACTOR,
        message=message,
        language=detection.language,
        confidence=detection.confidence,
        method=detection.method,
    )
    if detection.language not in dict(settings.LANGUAGES) or detection.confidence < CUSTOMER_LANGUAGE_CONFIDENCE:
        return
    # who got a language earlier in this batch (their rows were read before that) is left alone
    done: set[tuple[str, int]] = batching.memo("assist.languages_given", set)
    ticket = message.ticket
    if (
        not ticket.language
        and ("ticket", ticket.pk) not in done
        and dominant_script(message.body_text)[1] >= TICKET_LANGUAGE_LETTERS
    ):
        set_detected_ticket_language(actor=LANGUAGE_ACTOR, ticket=ticket, language=detection.language)
        done.add(("ticket", ticket.pk))
    customer = message.author_customer
    if customer is not None and not customer.language and ("customer", customer.pk) not in done:
        set_detected_language(actor=LANGUAGE_ACTOR, customer=customer, language=detection.language)
        done.add(("customer", customer.pk))


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def answer_in_threads(event: TicketEvent) -> None:
    """A customer's message in chat or a messaging channel goes to the answer bot, when it is on there."""
    from helpline.assist.thread_bot import THREAD_CHANNELS

    if event.kind != EventKind.MESSAGE_ADDED or event.data.get("kind") != MessageKind.INBOUND:
        return
    if event.data.get("channel") not in THREAD_CHANNELS:
        return
    try:
        from helpline.assist.config import answers_on, bot_settings
        from helpline.assist.tasks import answer_message_task

        if event.message_id is not None and answers_on(bot_settings(), str(event.data["channel"])):
            answer_message_task.enqueue(event.message_id)
    except Exception:
        log.exception("the answer bot failed for event %s", event.pk)


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def answer_new_email(event: TicketEvent) -> None:
    """A ticket opened by email gets an automatic first reply when the bot is on for email and a
    published article answers it confidently."""
    if event.kind != EventKind.MESSAGE_ADDED or event.data.get("channel") != "email":
        return
    try:
        from helpline.assist.email_reply import email_first_reply

        email_first_reply(event)
    except Exception:
        log.exception("automatic first reply failed for event %s", event.pk)
