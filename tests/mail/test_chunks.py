"""A fetched chunk goes through in one transaction: new conversations, replies threaded to tickets
of earlier chunks and of the same chunk, events as the one-by-one actions record them; a message
that fails leaves the others processed and is quarantined alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.core import batching
from helpline.core.actors import Actor
from helpline.customers.models import Customer
from helpline.mail import actions, content
from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import EventKind, Message, Status, Ticket, TicketEvent
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _reply(body: str, *, to: str, message_id: str, sender: str = "Ann Customer <ann@example.com>") -> bytes:
    return raw_mail(
        body, subject="Re: Printer broken", sender=sender, message_id=message_id, headers={"In-Reply-To": to}
    )


def test_a_chunk_opens_and_threads_as_one_by_one_would(mailbox: Mailbox) -> None:
    earlier = actions.receive_message(mailbox=mailbox, raw=raw_mail("It is broken", message_id="<e1@c>"))
    solved = Ticket.objects.get(number=earlier.ticket)
    ticket_actions.update_ticket(actor=Actor.system("test"), ticket=solved, status=Status.SOLVED)
    chunk = [
        raw_mail("Bob's new problem", sender="Bob <bob@example.com>", message_id="<n1@c>"),
        _reply("Still broken", to="<e1@c>", message_id="<r1@c>"),
        _reply("And more", to="<n1@c>", message_id="<r2@c>", sender="Bob <bob@example.com>"),
        _reply("A colleague adds", to="<r2@c>", message_id="<r3@c>", sender="Cy <cy@example.com>"),
        raw_mail("Dee writes", sender="Dee <dee@example.com>", message_id="<n2@c>"),
    ]
    with CaptureQueriesContext(connection) as queries, batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [o.outcome for o in outcomes] == ["new_ticket", "added", "added", "added", "new_ticket"]
    bob, dee = Ticket.objects.get(number=outcomes[0].ticket), Ticket.objects.get(number=outcomes[4].ticket)
    assert outcomes[1].ticket == earlier.ticket and outcomes[2].ticket == outcomes[3].ticket == bob.number
    assert len({earlier.ticket, bob.number, dee.number}) == 3
    assert [m.external_id for m in bob.messages.order_by("id")] == ["<n1@c>", "<r2@c>", "<r3@c>"]
    colleague = Message.objects.get(external_id="<r3@c>")
    assert colleague.author_customer is not None and colleague.author_customer.name == "Cy"
    solved.refresh_from_db()
    assert solved.status == Status.OPEN  # the customer writing reopens it
    kinds = list(TicketEvent.objects.filter(ticket=solved).order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.MESSAGE_ADDED, EventKind.STATUS_CHANGED]
    assert list(bob.events.order_by("id").values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.MESSAGE_ADDED,
        EventKind.MESSAGE_ADDED,
        EventKind.MESSAGE_ADDED,
    ]
    opening = bob.events.order_by("id")[1]
    assert opening.created_at == bob.created_at  # the opening message, as open_ticket records it
    assert bob.events.order_by("id")[2].created_at > bob.created_at
    assert set(RawMessage.objects.values_list("status", flat=True)) == {RawStatus.PROCESSED}
    assert all(r.ticket_message_id for r in RawMessage.objects.all())
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) < 40, writes  # a statement per table, not per message
    again = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [o.outcome for o in again] == ["duplicate"] * 5 and Message.objects.count() == 6


def test_a_failing_message_is_quarantined_alone(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    real = content.build_body

    def build_body(mail: Any) -> Any:
        if "poison" in mail.text:
            raise ValueError("cannot read this one")
        return real(mail)

    monkeypatch.setattr(content, "build_body", build_body)
    chunk = [raw_mail(f"message {i}" + (" poison" if i == 2 else ""), message_id=f"<p{i}@c>") for i in range(5)]
    with batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [o.outcome for o in outcomes] == ["new_ticket", "new_ticket", "quarantined", "new_ticket", "new_ticket"]
    assert "cannot read this one" in outcomes[2].reason
    assert Ticket.objects.count() == 4 and RawMessage.objects.filter(status=RawStatus.QUARANTINED).count() == 1


def test_a_reply_to_a_closed_ticket_in_a_chunk_reopens_it(mailbox: Mailbox) -> None:
    first = actions.receive_message(mailbox=mailbox, raw=raw_mail("Help", message_id="<c1@c>"))
    ticket = Ticket.objects.get(number=first.ticket)
    ticket_actions.update_ticket(actor=Actor.system("test"), ticket=ticket, status=Status.CLOSED)
    chunk = [
        raw_mail("New one", sender="Eve <eve@example.com>", message_id="<c2@c>"),
        _reply("Back again", to="<c1@c>", message_id="<c3@c>"),
        _reply("And again", to="<c3@c>", message_id="<c4@c>"),
    ]
    with batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [o.outcome for o in outcomes] == ["new_ticket", "reopened", "added"]
    assert outcomes[1].ticket == outcomes[2].ticket == ticket.number
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.messages.count() == 3


def test_a_chunks_raw_bytes_are_stored_once_each(mailbox: Mailbox) -> None:
    from helpline.mail.store import read_raw, store_raws

    chunk = [raw_mail(f"stored {i}", message_id=f"<s{i}@c>") for i in range(3)]
    stored = store_raws([*chunk, chunk[0]])  # the same bytes twice: one file
    assert stored[0] == stored[3] and len({rel for _digest, rel in stored}) == 3
    assert [read_raw(rel) for _digest, rel in stored] == [*chunk, chunk[0]]
    outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [read_raw(RawMessage.objects.get(pk=o.raw_id).path) for o in outcomes] == chunk


def test_reply_tokens_and_subject_numbers_thread_in_a_chunk(mailbox: Mailbox) -> None:
    from helpline.mail.tokens import reply_address

    first = actions.receive_message(mailbox=mailbox, raw=raw_mail("Help", message_id="<t1@c>"))
    number = first.ticket
    assert number is not None
    chunk = [
        raw_mail("By the token", subject="Re: your ticket", to=reply_address(mailbox.email_address, number)),
        raw_mail("By the number", subject=f"Re: [#{number}] Printer broken"),
        raw_mail("Not my ticket", subject=f"Re: [#{number}] Printer broken", sender="Zed <zed@example.com>"),
        raw_mail("Unknown number", subject="Re: [#999999] Printer broken"),
    ]
    with batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
    assert [o.outcome for o in outcomes] == ["added", "added", "new_ticket", "new_ticket"]
    assert outcomes[0].ticket == outcomes[1].ticket == number and outcomes[2].ticket != number
    ways = [
        Message.objects.get(pk=RawMessage.objects.get(pk=o.raw_id).ticket_message_id).meta["email"] for o in outcomes
    ]
    assert [w.get("threaded_by") for w in ways] == ["token", "subject", None, None]


def test_a_new_ticket_takes_the_language_its_message_is_written_in(mailbox: Mailbox) -> None:
    """The chunk detects each message's language as it stores it; a new ticket whose requester has
    no language gets it then (the worker then finds nothing to write), unless the text is too short
    to route by."""
    chunk = [
        raw_mail("გამარჯობა, პრინტერი არ მუშაობს და ვერ ვბეჭდავ.", sender="Nino <nino@example.ge>", message_id="<k1@c>"),
        raw_mail("Hi", sender="Short <short@example.com>", message_id="<k2@c>"),
    ]
    with batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk)
        # inside the batch: the worker subscribers have not run yet
        assert Ticket.objects.get(number=outcomes[0].ticket).language == "ka"
        assert Ticket.objects.get(number=outcomes[1].ticket).language == ""
        # a new customer starts with the language their first message gives its ticket; the worker
        # sets the others' (it needs no length: "Hi" makes a customer's language English)
        assert Customer.objects.get(identities__value="nino@example.ge").language == "ka"
        assert Customer.objects.get(identities__value="short@example.com").language == ""
    assert Customer.objects.get(identities__value="short@example.com").language == "en"  # the worker's
    assert Ticket.objects.get(number=outcomes[1].ticket).language == ""
