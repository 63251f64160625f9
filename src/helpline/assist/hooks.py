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

from django.db import transaction

from helpline.assist.language import Detection, detect_language, settles, ticket_language
from helpline.core import batching, hooks
from helpline.core.actors import Actor
from helpline.core.bulk import update_rows
from helpline.core.events import TICKET_EVENT_WORKER_BATCH_HOOK, TICKET_EVENT_WORKER_HOOK
from helpline.customers.models import Customer
from helpline.tickets.models import EventKind, Message, MessageKind, Ticket, TicketEvent

log = logging.getLogger("helpline.assist")
LANGUAGE_ACTOR = Actor.system("language")


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
    if message.kind != MessageKind.INBOUND:
        return None
    return message


def _detection(message: Message) -> Detection | None:
    """The message's language: detected already as the channel stored it, or detected now."""
    meta = message.meta or {}
    if "language" in meta:  # "" when the channel looked and found no answer
        found = str(meta["language"] or "")
        return Detection(found, float(meta.get("language_confidence") or 0), "") if found else None
    detection = detect_language(message.body_text[:2000])
    return detection if detection.language else None


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def detect_message_language(event: TicketEvent) -> None:
    if event.pk in batching.memo(BATCH_DONE_KEY, set):
        return
    try:
        message = _incoming_message(event)
        if message is None:
            return
        detection = _detection(message)
        if detection is None:
            return
        with transaction.atomic():  # message, ticket and customer written in one commit
            _keep_language(message, detection)
    except Exception:  # never let detection affect the conversation
        log.exception("language detection failed for event %s", event.pk)


BATCH_DONE_KEY = "assist.language_events"


@hooks.register(TICKET_EVENT_WORKER_BATCH_HOOK)
def detect_batch_languages(events: list[TicketEvent]) -> None:
    """The batch's incoming messages all at once: their meta written in one statement (none when the
    channel detected the language as it stored them), then the tickets and the customers without a
    language, a statement per language. A new ticket whose opening message is in the batch needs
    nothing for its "created" event: the message's own event brings it."""
    handled: list[int] = []
    opening = {
        e.ticket_id
        for e in events
        if e.kind == EventKind.MESSAGE_ADDED and e.message_id and e.created_at == e.ticket.created_at
    }
    messages: list[Message] = []
    for event in events:
        if event.kind == EventKind.CREATED and event.ticket_id in opening:
            handled.append(event.pk)
        elif event.kind == EventKind.MESSAGE_ADDED:
            message = _incoming_message(event)
            handled.append(event.pk)
            if message is not None:
                messages.append(message)
    try:
        if messages:
            _keep_languages(messages, events)
    except Exception:  # never let detection affect the conversation; the events go one by one instead
        log.exception("language detection failed for %s messages", len(messages))
        detected: set[int] = batching.memo("assist.detected_messages", set)
        detected.difference_update(m.pk for m in messages)
        return
    done: set[int] = batching.memo(BATCH_DONE_KEY, set)
    done.update(handled)


def _keep_languages(messages: list[Message], events: list[TicketEvent]) -> None:
    from helpline.assist.actions import set_detected_ticket_languages
    from helpline.customers.actions import set_detected_languages
    from helpline.tickets.actions import language_meta

    given: set[tuple[str, int]] = batching.memo("assist.languages_given", set)
    written: list[Message] = []
    tickets: dict[str, list[Ticket]] = {}
    customers: dict[str, list[Customer]] = {}
    for message in messages:
        detection = _detection(message)
        if detection is None:
            continue
        if detection.method:  # detected now: kept in the message's meta
            found = language_meta(language=detection.language, confidence=detection.confidence, method=detection.method)
            message.meta = {**(message.meta or {}), **found}
            written.append(message)
        if not settles(detection):
            continue
        ticket = message.ticket
        if not ticket.language and ("ticket", ticket.pk) not in given and ticket_language(detection, message.body_text):
            tickets.setdefault(detection.language, []).append(ticket)
            given.add(("ticket", ticket.pk))
        customer = message.author_customer
        if customer is not None and not customer.language and ("customer", customer.pk) not in given:
            customers.setdefault(detection.language, []).append(customer)
            given.add(("customer", customer.pk))
    with transaction.atomic():
        if written:
            update_rows(Message, written, ["meta"])
        for language, group in tickets.items():
            set_detected_ticket_languages(actor=LANGUAGE_ACTOR, tickets=group, language=language)
        for language, people in customers.items():
            set_detected_languages(actor=LANGUAGE_ACTOR, customers=people, language=language)
    languages = {t.pk: t.language for group in tickets.values() for t in group}
    for event in events:  # the other subscribers see the tickets as they now are
        if event.ticket_id in languages and not event.ticket.language:
            event.ticket.language = languages[event.ticket_id]


def _keep_language(message: Message, detection: Detection) -> None:
    from helpline.assist.actions import set_detected_ticket_language
    from helpline.customers.actions import set_detected_language
    from helpline.tickets.actions import set_message_language

    if detection.method:  # detected now (not as the channel stored the message)
        set_message_language(
            actor=LANGUAGE_ACTOR,
            message=message,
            language=detection.language,
            confidence=detection.confidence,
            method=detection.method,
        )
    if not settles(detection):
        return
    # who got a language earlier in this batch (their rows were read before that) is left alone
    done: set[tuple[str, int]] = batching.memo("assist.languages_given", set)
    ticket = message.ticket
    if not ticket.language and ("ticket", ticket.pk) not in done and ticket_language(detection, message.body_text):
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
