"""Mail received in a batch (an IMAP chunk, an import) is indexed for search once, when the batch
ends: each message is committed on its own as before, and nothing is left unindexed."""

from __future__ import annotations

from collections.abc import Hashable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from helpline.accounts.models import Role
from helpline.core import batching
from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.search.models import TicketSearchDocument
from helpline.search.selectors import search_tickets
from helpline.tickets.models import Ticket
from tests.factories import make_agent
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db(transaction=True)


def test_tickets_are_indexed_once_at_the_end_of_the_batch(mailbox: Mailbox) -> None:
    with batching.batch():
        first = actions.receive_message(mailbox=mailbox, raw=raw_mail("The kettle leaks", message_id="<b1@c>"))
        actions.receive_message(
            mailbox=mailbox, raw=raw_mail("Still leaking water", message_id="<b2@c>", headers={"In-Reply-To": "<b1@c>"})
        )
        second = actions.receive_message(
            mailbox=mailbox, raw=raw_mail("ჩაიდანი არ მუშაობს", sender="Nino <nino@example.ge>", message_id="<b3@c>")
        )
        assert Ticket.objects.count() == 2  # committed one by one
        assert TicketSearchDocument.objects.count() == 0  # indexing waits for the batch's end
    assert TicketSearchDocument.objects.count() == 2
    agent = Actor.of_agent(make_agent(Role.AGENT))
    assert [t.number for t in search_tickets(actor=agent, query="leaking")] == [first.ticket]
    assert [t.number for t in search_tickets(actor=agent, query="ჩაიდანი")] == [second.ticket]
    assert [t.number for t in search_tickets(actor=agent, query="nino@example.ge")] == [second.ticket]


def test_import_indexes_every_message(mailbox: Mailbox, tmp_path: Path) -> None:
    for n in range(7):
        (tmp_path / f"{n}.eml").write_bytes(raw_mail(f"Parcel number {n}000 is lost", message_id=f"<imp-{n}@c>"))
    call_command(
        "mail", "import", str(tmp_path), "--mailbox", mailbox.email_address, "--no-progress", stdout=StringIO()
    )
    assert Ticket.objects.count() == 7 and TicketSearchDocument.objects.count() == 7


def test_batches_nest_and_work_deferred_while_flushing_joins_the_flush() -> None:
    done: list[tuple[str, list[Hashable]]] = []

    def second(items: list[Hashable]) -> None:
        done.append(("second", items))

    def first(items: list[Hashable]) -> None:
        done.append(("first", items))
        assert batching.defer("second", second, "late")

    assert not batching.defer("first", first, 1)  # outside a batch: the caller works now
    with batching.batch():
        with batching.batch():
            assert batching.defer("second", second, "a")
            assert batching.defer("first", first, 1, order=-1)
            assert batching.defer("first", first, 1, order=-1)
        assert done == []  # the inner batch's end is not the end
    assert done == [("first", [1]), ("second", ["a", "late"])]


def test_a_chunk_is_recorded_first_then_processed_once_each(mailbox: Mailbox) -> None:
    """receive_messages, as the IMAP fetcher calls it: a Message-ID twice in one chunk and the same
    chunk again give duplicates, never a second ticket; the rate limit counts the chunk's own mail."""
    from helpline.mail.models import RawMessage, RawStatus

    mailbox.sender_rate_limit = 2
    mailbox.save()
    chunk = [
        raw_mail("first", message_id="<c1@c>"),
        raw_mail("first again", message_id="<c1@c>"),
        raw_mail("second", message_id="<c2@c>"),
        raw_mail("third, over the limit", message_id="<c3@c>"),
        raw_mail("someone else", sender="Bob <bob@example.com>", message_id="<c4@c>"),
    ]
    with batching.batch():
        outcomes = actions.receive_messages(mailbox=mailbox, raws=chunk, source="imap")
    assert [o.outcome for o in outcomes] == ["new_ticket", "duplicate", "new_ticket", "quarantined", "new_ticket"]
    assert outcomes[1].ticket == outcomes[0].ticket
    assert outcomes[3].reason.startswith("rate_limited")
    with batching.batch():
        again = actions.receive_messages(mailbox=mailbox, raws=chunk, source="imap")
    assert [o.outcome for o in again] == ["duplicate"] * 5
    assert Ticket.objects.count() == 3 and RawMessage.objects.count() == 4
    assert RawMessage.objects.filter(status=RawStatus.QUARANTINED).count() == 1
