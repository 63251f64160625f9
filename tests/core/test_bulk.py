"""core.bulk.insert_rows stores what bulk_create stores, on every database."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from helpline.core import bulk
from helpline.customers.models import Channel, Customer, CustomerIdentity
from helpline.tickets.models import Message, MessageKind, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


_ids = itertools.count()


def _messages(ticket: Ticket, count: int) -> list[Message]:
    at = timezone.now() - dt.timedelta(minutes=5)
    return [
        Message(
            ticket=ticket,
            kind=MessageKind.INBOUND,
            channel=Channel.EMAIL,
            body_text=f"გამარჯობა {i} " + "x" * 30_000,
            external_id=f"<m{next(_ids)}@c>",
            meta={"n": i, "to": ["a@b.example"]},
            created_at=at + dt.timedelta(microseconds=i),
        )
        for i in range(count)
    ]


def test_new_rows_get_their_keys_in_order_and_every_value() -> None:
    ticket = make_ticket()
    rows = bulk.insert_rows(Message, _messages(ticket, 3))
    assert [m.pk for m in rows] == sorted(m.pk for m in rows) and all(not m._state.adding for m in rows)
    for message in rows:
        stored = Message.objects.get(pk=message.pk)
        assert (stored.body_text, stored.external_id, stored.meta, stored.created_at) == (
            message.body_text,
            message.external_id,
            message.meta,
            message.created_at,
        )
        assert stored.public_id == message.public_id and stored.ticket_id == ticket.pk


def test_objects_point_at_rows_inserted_after_they_were_set() -> None:
    customers = [Customer(name=f"C{i}", preferred_channel=Channel.EMAIL) for i in range(2)]
    identities = [CustomerIdentity(customer=c, kind="email", value=f"c{i}@x.example") for i, c in enumerate(customers)]
    bulk.insert_rows(Customer, customers)  # the identities were built before their customers had ids
    bulk.insert_rows(CustomerIdentity, identities)
    assert {i.customer_id for i in CustomerIdentity.objects.all()} == {c.pk for c in customers}
    events = [TicketEvent(ticket=make_ticket(), kind="note", created_at=timezone.now())]
    assert bulk.insert_rows(TicketEvent, events)[0].pk is not None  # one row, and a JSON default


def test_an_unsaved_related_object_is_refused_as_bulk_create_refuses_it() -> None:
    ticket = Ticket(subject="never saved")
    with pytest.raises(ValueError):
        bulk.insert_rows(Message, _messages(ticket, 2))


def test_more_rows_than_one_statement_takes_go_in_several(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_PARAMETERS", 30)  # a Message row has 13 columns: 2 rows per statement
    ticket = make_ticket()
    before = Message.objects.filter(ticket=ticket).count()
    rows = bulk.insert_rows(Message, _messages(ticket, 5))
    assert Message.objects.filter(ticket=ticket).count() == before + 5 and len({m.pk for m in rows}) == 5


def test_statements_are_made_once_per_row_count() -> None:
    ticket = make_ticket()
    bulk.insert_rows(Message, _messages(ticket, 2))
    bulk.insert_rows(Message, _messages(ticket, 2))
    if connection.vendor == "postgresql":
        assert (connection.alias, Message, 2) in bulk._STATEMENTS


def test_models_of_any_shape_go_in(db: None) -> None:
    """A model without the `created_at` the PostgreSQL path once relied on (SLA clocks)."""
    from helpline.workflow.models import ClockKind, SlaClock

    ticket = make_ticket()
    rows = [SlaClock(ticket=ticket, kind=kind) for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)]
    bulk.insert_rows(SlaClock, rows)
    assert sorted(SlaClock.objects.filter(ticket=ticket).values_list("kind", flat=True)) == sorted(
        [ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION]
    )
