"""Customers' messages taken in by a channel many at a time (a fetched chunk of mail): what
`open_ticket` and `add_message` do for one inbound message each, done for the whole batch in a few
statements inside the caller's transaction.

Each item either opens a ticket or joins one: an existing ticket the caller read under its row lock
(`lock_tickets`), or the ticket an earlier item of the same batch opens. Every item gets its own,
strictly increasing time, so the events come out exactly as the one-by-one actions would record
them (a ticket's opening message has the ticket's time; a later one does not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from helpline.accounts.models import Team
from helpline.core.actors import Actor
from helpline.core.bulk import insert_rows, update_rows
from helpline.customers.models import Customer
from helpline.tickets.action_support import ensure_writable, publish_events
from helpline.tickets.actions import TicketClosedError, clean_body
from helpline.tickets.attachments import IncomingFile, attachment_for
from helpline.tickets.models import Attachment, EventKind, Message, MessageKind, Status, Ticket, TicketEvent
from helpline.tickets.numbers import next_ticket_numbers

_REOPENING = (Status.PENDING, Status.SOLVED, Status.ON_HOLD)


@dataclass
class InboundItem:
    """One customer message. `ticket`: the ticket it joins (locked by the caller), or None to open
    one; `joins`: the index of an earlier item in the batch whose new ticket it joins instead."""

    sender: Customer
    channel: str
    subject: str
    body_text: str
    body_html: str
    external_id: str
    meta: dict[str, Any]
    attachments: Sequence[IncomingFile] = ()
    ticket: Ticket | None = None
    joins: int | None = None
    team: Team | None = None
    language: str = ""  # for a new ticket whose requester has none: the language detected in this message
    clean: bool = False  # the bodies are as stored already (`tickets.actions.clean_body`)
    # filled in
    message: Message | None = None
    opened: bool = False
    duplicate: bool = False
    stored_attachments: list[Attachment] = field(default_factory=list)


def lock_tickets(ids: Iterable[int], *, numbers: Iterable[int] = ()) -> dict[int, Ticket]:
    """The tickets (by id, or by number) under their row locks, taken in id order (two batches never
    wait on each other in a circle)."""
    wanted, numbered = set(ids), set(numbers)
    if not wanted and not numbered:
        return {}
    rows = Ticket.objects.select_for_update(of=("self",)).filter(Q(pk__in=wanted) | Q(number__in=numbered))
    return {t.pk: t for t in rows.order_by("pk")}


def _moments(count: int) -> list[dt.datetime]:
    start = timezone.now()
    return [start + dt.timedelta(microseconds=i) for i in range(count)]


def _organizations(customers: Iterable[Customer]) -> dict[int, int]:
    """Each requester's first organisation (as `requester.organizations.first()`), in one query."""
    through = Customer.organizations.through
    ids = {c.pk for c in customers}
    first: dict[int, int] = {}
    rows = through.objects.filter(customer_id__in=ids).order_by("organization__name", "organization_id")
    for customer_id, organization_id in rows.values_list("customer_id", "organization_id"):
        first.setdefault(customer_id, organization_id)
    return first


def receive_inbound(*, actor_for_others: Actor, items: list[InboundItem]) -> list[TicketEvent]:
    """Store the batch's messages, opening or updating their tickets, and record and publish the
    events. Runs inside the caller's transaction; raises (and so undoes the batch) on anything an
    item could not go through with, so the caller can take the items one by one instead."""
    if not connection.in_atomic_block:
        raise ValueError("receive_inbound runs inside the caller's transaction")
    known = {
        (m.channel, m.external_id): m
        for m in Message.objects.filter(
            channel__in={i.channel for i in items}, external_id__in={i.external_id for i in items if i.external_id}
        )
    }
    moments = _moments(len(items))
    new_tickets: list[Ticket] = []
    touched: dict[int, Ticket] = {}
    pending: list[tuple[Message, list[Any]]] = []  # (message, its events' arguments)
    events: list[TicketEvent] = []
    requesters = [i.sender for i in items if i.ticket is None and i.joins is None]
    organizations = _organizations(requesters) if requesters else {}
    numbers = iter(next_ticket_numbers(len(requesters)))

    def event(ticket: Ticket, actor: Actor, kind: str, at: dt.datetime, **values: Any) -> TicketEvent:
        row = TicketEvent(
            ticket=ticket,
            kind=kind,
            actor_agent=actor.agent,
            actor_customer=actor.customer,
            actor_label=actor.label if actor.is_system else "",
            data=values.pop("data", {}),
            created_at=at,
            **values,
        )
        events.append(row)
        return row

    for index, item in enumerate(items):
        now = moments[index]
        text, html = (item.body_text, item.body_html) if item.clean else clean_body(item.body_text, item.body_html)
        actor = Actor.of_customer(item.sender)
        if item.ticket is None and item.joins is None:
            subject = (item.subject or "").strip() or text.split("\n", 1)[0][:120] or "(no subject)"
            ticket = Ticket(
                number=next(numbers),
                subject=subject[:250],
                status=Status.NEW,
                channel=item.channel,
                requester=item.sender,
                organization_id=organizations.get(item.sender.pk),
                team=item.team,
                custom_fields={},
                language=item.sender.language or item.language,
                created_at=now,
                updated_at=now,
                last_message_at=now,
            )
            new_tickets.append(ticket)
            item.ticket, item.opened = ticket, True
            event(
                ticket,
                actor,
                EventKind.CREATED,
                now,
                after={
                    "subject": ticket.subject,
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "channel": ticket.channel,
                    "assignee": None,
                    "team": item.team.pk if item.team else None,
                    "tags": [],
                },
            )
            author = item.sender
        else:
            if item.joins is not None:
                item.ticket = items[item.joins].ticket
            joined = item.ticket
            assert joined is not None
            ticket = joined
            ensure_writable(ticket)
            if ticket.status == Status.CLOSED:
                raise TicketClosedError(f"ticket {ticket.number} is closed")
            if (item.channel, item.external_id) in known:
                item.message, item.duplicate = known[(item.channel, item.external_id)], True
                continue
            author = item.sender
            if ticket.requester_id != item.sender.pk:
                actor = actor_for_others
            ticket.updated_at = ticket.last_message_at = now
            if ticket.pk is not None:
                touched[ticket.pk] = ticket
        if not text and not item.attachments:
            raise ValueError("an inbound message without text or attachments")
        message = Message(
            ticket=ticket,
            kind=MessageKind.INBOUND,
            channel=item.channel,
            author_customer=author,
            body_text=text,
            body_html=html,
            external_id=item.external_id,
            meta=item.meta,
            created_at=now,
        )
        item.message = message
        known[(item.channel, item.external_id)] = message
        added = event(
            ticket,
            actor,
            EventKind.MESSAGE_ADDED,
            now,
            message=message,
            data={"kind": MessageKind.INBOUND, "channel": item.channel},
        )
        pending.append((message, [added]))
        if not item.opened and ticket.status in _REOPENING:  # as add_message: the customer writing reopens it
            before, ticket.status, ticket.solved_at, ticket.closed_at = ticket.status, Status.OPEN, None, None
            event(ticket, actor, EventKind.STATUS_CHANGED, now, before=before, after=Status.OPEN)

    with transaction.atomic(savepoint=False):
        insert_rows(Ticket, new_tickets)
        insert_rows(Message, [m for m, _e in pending])
        _store_attachments(items)
        insert_rows(TicketEvent, events)  # the tickets and messages they point at have their ids now
        update_rows(
            Ticket, list(touched.values()), ["updated_at", "last_message_at", "status", "solved_at", "closed_at"]
        )
        publish_events(events)
    return events


def _store_attachments(items: list[InboundItem]) -> None:
    rows: list[Attachment] = []
    for item in items:
        if item.duplicate or item.message is None:
            continue
        for incoming in item.attachments:
            attachment = attachment_for(item.message, incoming)
            item.stored_attachments.append(attachment)
            rows.append(attachment)
    if rows:
        insert_rows(Attachment, rows)
