"""core.prepared writes the same rows as the ORM's create() and save(update_fields=...)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helpline.core import prepared
from helpline.customers.models import Channel
from helpline.tickets.models import Message, MessageKind, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_insert_stores_every_field_and_sets_the_key() -> None:
    ticket = make_ticket()
    at = timezone.now() - dt.timedelta(minutes=3)
    message = Message(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        channel=Channel.CHAT,
        body_text="Привет, გამარჯობა",
        external_id="conv:1",
        meta={"page_url": "https://shop.example/a", "n": [1, 2]},
        created_at=at,
    )
    prepared.insert(message)
    assert message.pk and not message._state.adding
    stored = Message.objects.get(pk=message.pk)
    assert stored.public_id == message.public_id and len(stored.public_id) > 10  # the Python default
    assert (stored.body_text, stored.external_id, stored.created_at) == ("Привет, გამარჯობა", "conv:1", at)
    assert stored.meta == {"page_url": "https://shop.example/a", "n": [1, 2]}
    assert stored.ticket_id == ticket.pk and stored.author_agent_id is None

    event = prepared.insert(TicketEvent(ticket=ticket, kind="message_added", message=message, created_at=at))
    assert TicketEvent.objects.get(pk=event.pk).data == {}  # the field's default, as JSON


def test_update_writes_only_the_fields_named() -> None:
    ticket = make_ticket(subject="Before")
    later = timezone.now() + dt.timedelta(hours=1)
    ticket.last_message_at, ticket.subject = later, "Changed in memory only"
    prepared.update(ticket, ["last_message_at"])
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.last_message_at == later and stored.subject == "Before"
    with pytest.raises(ValueError):
        prepared.update(ticket, ["messages"])


def test_statements_are_prepared_on_postgresql_and_still_logged() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = make_ticket()
    with CaptureQueriesContext(connection) as ctx:
        for n in range(3):
            prepared.insert(
                Message(
                    ticket=ticket,
                    kind=MessageKind.INBOUND,
                    channel=Channel.CHAT,
                    body_text=f"m{n}",
                    meta={},
                    created_at=timezone.now(),
                )
            )
    assert sum(q["sql"].startswith('INSERT INTO "tickets_message"') for q in ctx.captured_queries) == 3
    assert Message.objects.filter(ticket=ticket, body_text__in=["m0", "m1", "m2"]).count() == 3
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO \"tickets_message\"%%'"
        )
        rows = cursor.fetchall()
    assert len(rows) == 1  # parsed and planned once for the connection, executed three times
