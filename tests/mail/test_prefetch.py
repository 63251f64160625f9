"""Fetched chunks received as a pipeline (`mail.prefetch`): the next chunk stored and parsed in a
second thread while this one goes through the database; the outcomes are those of receiving the
chunks one after the other."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from helpline.mail import parsing, prefetch
from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.mail.store import read_raw
from helpline.tickets.models import Message, Ticket
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _reply(body: str, *, to: str, message_id: str) -> bytes:
    return raw_mail(body, subject="Re: Printer broken", message_id=message_id, headers={"In-Reply-To": to})


def test_chunks_are_received_in_order_with_the_next_one_parsed_meanwhile(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed_in: set[str] = set()
    real = parsing.parse

    def parse(raw: bytes, **kwargs: Any) -> parsing.ParsedMail:
        parsed_in.add(threading.current_thread().name)
        return real(raw, **kwargs)

    monkeypatch.setattr(parsing, "parse", parse)
    pulled: list[str] = []

    def chunks() -> Iterator[tuple[str, list[bytes]]]:
        pulled.append("first")
        yield "first", [raw_mail("It is broken", message_id="<a1@c>"), raw_mail("Bob here", message_id="<b1@c>")]
        pulled.append("second")
        # a reply to a message of the first chunk, and a message that cannot be parsed
        yield "second", [_reply("Still broken", to="<a1@c>", message_id="<a2@c>"), b"\xff\xfe not mail \x00"]

    seen = []
    for key, outcomes in prefetch.receive_chunks(mailbox=mailbox, chunks=chunks(), source="test"):
        seen.append((key, [o.outcome for o in outcomes], list(pulled)))
    assert seen[0][:2] == ("first", ["new_ticket", "new_ticket"])
    assert seen[0][2] == ["first", "second"]  # the second chunk was pulled before the first was received
    assert seen[1][0] == "second" and seen[1][1][0] == "added"
    assert seen[1][1][1] == "quarantined", seen  # the one-by-one path says why, as without prefetch
    assert parsed_in and all(name.startswith("mail-prefetch") for name in parsed_in)
    first = Message.objects.get(external_id="<a1@c>").ticket
    assert Message.objects.get(external_id="<a2@c>").ticket == first
    assert not RawMessage.objects.filter(status=RawStatus.RECEIVED).exists()
    for row in RawMessage.objects.all():  # every message's bytes stored before its row
        assert read_raw(row.path)


def test_a_chunk_received_again_is_duplicates(mailbox: Mailbox) -> None:
    chunk = [raw_mail("One", message_id="<d1@c>"), raw_mail("Two", message_id="<d2@c>")]
    first = list(prefetch.receive_chunks(mailbox=mailbox, chunks=[(1, chunk)], source="test"))
    again = list(prefetch.receive_chunks(mailbox=mailbox, chunks=[(2, chunk)], source="test"))
    assert [o.outcome for o in first[0][1]] == ["new_ticket", "new_ticket"]
    assert [o.outcome for o in again[0][1]] == ["duplicate", "duplicate"]
    assert Ticket.objects.count() == 2 and RawMessage.objects.count() == 2


def test_two_messages_with_one_message_id_the_first_is_processed(mailbox: Mailbox) -> None:
    chunk = [raw_mail("The first text", message_id="<same@c>"), raw_mail("Another text", message_id="<same@c>")]
    [(_key, outcomes)] = list(prefetch.receive_chunks(mailbox=mailbox, chunks=[(1, chunk)], source="test"))
    assert [o.outcome for o in outcomes] == ["new_ticket", "duplicate"]
    message = Message.objects.get(external_id="<same@c>")
    assert "The first text" in message.body_text
    assert read_raw(RawMessage.objects.get(message_id="<same@c>").path) == chunk[0]
