"""Ticket documents appended to for new messages (PostgreSQL) instead of rebuilt: the document an
append leaves is the one a full rebuild gives (title, body, lexemes and their positions, how far
the messages go), and every ticket whose document cannot be appended to exactly is rebuilt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from helpline.core.actors import Actor
from helpline.search import indexing, schema
from helpline.search import rebuild_sql as sql
from helpline.search.models import SearchWord
from helpline.tickets import actions as ticket_actions
from helpline.tickets import merge_actions
from helpline.tickets.models import Message, MessageKind, Ticket
from tests.factories import make_customer, make_ticket
from tests.search.conftest import on_postgres

pytestmark = [pytest.mark.django_db]

_DOCUMENT = f"""
SELECT title, body, strip(vector)::text, vector::text, tsvector_to_array(vector), last_message_id, message_count
FROM {schema.TICKET_TABLE} WHERE ticket_id = %s
"""  # noqa: S608


def _document(ticket_id: int) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(_DOCUMENT, [ticket_id])
        return cursor.fetchone()


@contextmanager
def _statements() -> Iterator[list[tuple[str, list[int]]]]:
    """What the indexing statements were run for: ("append" or "rebuild", ticket ids)."""
    seen: list[tuple[str, list[int]]] = []

    def record(execute: Callable[..., Any], sql_text: str, params: Any, many: bool, context: Any) -> Any:
        if sql_text == sql.POSTGRES_TICKETS_APPEND:
            seen.append(("append", list(params["ids"])))
        elif sql_text == sql.POSTGRES_TICKETS_BY_ID:
            seen.append(("rebuild", list(params["ids"])))
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _matches(vector: str, queries: list[str]) -> list[bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::tsvector @@ q::tsquery FROM unnest(%s::text[]) WITH ORDINALITY AS x(q, n) ORDER BY n",
            [vector, queries],
        )
        return [row[0] for row in cursor.fetchall()]


def _same_as_rebuild(ticket: Ticket, *, positions: bool = True, queries: Sequence[str] = ()) -> tuple[Any, ...]:
    """The document as it is, checked against a full rebuild of it (which then stays). `positions`:
    the vectors are equal with their positions too (false where the old vector had lost positions at
    its end, see `schema.body_vector`); `queries` (tsquery text) match both alike."""
    document = _document(ticket.pk)
    indexing.index_tickets([ticket.pk])
    rebuilt = _document(ticket.pk)
    assert document is not None and rebuilt is not None
    title, body, stripped, vector, lexemes, last_id, count = document
    assert (title, body) == rebuilt[:2]
    assert stripped == rebuilt[2] and sorted(lexemes) == sorted(rebuilt[4])  # the same words and weights
    if positions:
        assert vector == rebuilt[3]  # at the same positions
    assert _matches(vector, list(queries)) == _matches(rebuilt[3], list(queries))
    assert (last_id, count) == rebuilt[5:]
    messages = Message.objects.filter(ticket=ticket)
    assert last_id == max(m.pk for m in messages) and count == messages.count()
    return document


def _append(*tickets: Ticket) -> list[tuple[str, list[int]]]:
    with _statements() as seen:
        indexing.index_tickets([], appendable=[t.pk for t in tickets])
    return seen


def _message(ticket: Ticket, text: str, *, at: dt.datetime | None = None) -> Message:
    """A message stored without its events (the indexing calls in these tests are explicit)."""
    return Message.objects.create(
        ticket=ticket, kind=MessageKind.INBOUND, body_text=text, created_at=at or timezone.now()
    )


@pytest.fixture
def ticket(indexed: Callable[[], Any]) -> Ticket:
    customer = make_customer(name="Нино Беридзе", email="nino@example.ge")
    with indexed():
        return make_ticket(customer, subject="Захиалга", body_text="захиалгын дугаар 42 დაიბლოკა")


@on_postgres
def test_one_new_message_is_appended_and_equals_a_rebuild(ticket: Ticket) -> None:
    _message(ticket, "ანგარიში დაიბლოკა again, order 42-b\nsecond line")
    assert _append(ticket) == [("append", [ticket.pk])]
    body = _same_as_rebuild(ticket)[1]
    assert body.endswith("დაიბლოკა\nანგარიში დაიბლოკა again, order 42-b\nsecond line")
    assert SearchWord.objects.filter(word="ანგარიში").exists()  # the new words are in the word list


@on_postgres
def test_several_messages_in_order_and_empty_ones(ticket: Ticket) -> None:
    start = timezone.now()
    _message(ticket, "first reply", at=start)
    _message(ticket, "", at=start + dt.timedelta(seconds=1))
    _message(ticket, "third ქართული", at=start + dt.timedelta(seconds=2))
    assert _append(ticket) == [("append", [ticket.pk])]
    _same_as_rebuild(ticket)
    # Only empty texts: nothing appended, but the document knows how far its messages go.
    before = _document(ticket.pk)
    empty = _message(ticket, "", at=start + dt.timedelta(seconds=3))
    assert _append(ticket) == [("append", [ticket.pk])]
    after = _document(ticket.pk)
    assert after is not None and before is not None
    assert after[:5] == before[:5] and after[5:] == (empty.pk, before[6] + 1)
    _same_as_rebuild(ticket)
    # Same created_at as the last indexed message: the id decides, as in a rebuild.
    _message(ticket, "same moment", at=empty.created_at)
    assert _append(ticket) == [("append", [ticket.pk])]
    _same_as_rebuild(ticket)


@on_postgres
def test_no_new_message_only_moves_the_document_in_time(ticket: Ticket) -> None:
    before = _document(ticket.pk)
    later = timezone.now() + dt.timedelta(hours=1)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=later)
    assert _append(ticket) == [("append", [ticket.pk])]
    assert _document(ticket.pk) == before
    assert ticket.search_document.__class__.objects.get(ticket=ticket).ticket_updated_at == later


@on_postgres
def test_a_message_dated_before_the_indexed_ones_rebuilds(ticket: Ticket) -> None:
    first = ticket.messages.get()
    _message(ticket, "written earlier, arrived late", at=first.created_at - dt.timedelta(minutes=5))
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    body = _same_as_rebuild(ticket)[1]
    assert body.index("written earlier") < body.index("захиалгын")


@on_postgres
def test_changed_title_rebuilds(ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(subject="Новая тема")
    _message(ticket, "reply")
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    document = _same_as_rebuild(ticket)
    assert document is not None and document[0] == "Новая тема"


@on_postgres
def test_reaching_the_body_cap_rebuilds(indexed: Callable[[], Any]) -> None:
    customer = make_customer(name="")
    with indexed():
        ticket = make_ticket(customer, subject="Long", body_text="word " * 39_990)  # 199,950 characters
    document = _document(ticket.pk)
    assert document is not None and len(document[1]) < schema.MAX_BODY_CHARS
    room = schema.MAX_BODY_CHARS - len(document[1]) - 1
    _message(ticket, "x" * room)  # exactly up to the cap: appended
    assert _append(ticket) == [("append", [ticket.pk])]
    # "word" kept its first 256 positions only, so the new word is not put at 16,383 as in a rebuild.
    _same_as_rebuild(ticket, positions=False, queries=["word & xxxxxxxxxx:*", "long:A & word"])
    _message(ticket, "over")  # past it: rebuilt, and cut as a rebuild cuts
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    document = _same_as_rebuild(ticket, positions=False)
    assert document is not None and len(document[1]) == schema.MAX_BODY_CHARS


@on_postgres
def test_words_repeated_past_the_positions_kept_per_word(indexed: Callable[[], Any]) -> None:
    """A lexeme keeps at most 255 positions from to_tsvector and 256 through `||`: one that has its
    255 may get one more by an append. Once the body's last words have lost their positions, the new
    words sit lower than in a rebuild (the same distance apart). Both match the same queries."""
    with indexed():
        ticket = make_ticket(subject="Repeat", body_text="გამარჯობა ინვოისი " * 300 + "ბოლოს")
    _message(ticket, "გამარჯობა ახალი " * 200 + "წერილი მოვიდა")
    assert _append(ticket) == [("append", [ticket.pk])]
    phrases = ["წერილი <-> მოვიდა", "ახალი <-> წერილი", "ბოლოს & ახალი", "ინვოისი:* & !ახალი", "repeat:A & ახალ:*"]
    _same_as_rebuild(ticket, positions=False, queries=phrases)
    _message(ticket, "ახალი " * 300)  # the body now ends with a word that lost its later positions
    _message(ticket, "კიდევ ერთი წერილი მოვიდა")
    assert _append(ticket) == [("append", [ticket.pk])]
    _same_as_rebuild(ticket, positions=False, queries=[*phrases, "ერთი <-> წერილი <-> მოვიდა"])


@on_postgres
def test_merged_tickets(indexed: Callable[[], Any], agent_actor: Actor) -> None:
    with indexed():
        target = make_ticket(subject="Target", body_text="target text")
        source = make_ticket(subject="Source", body_text="source text")
        merge_actions.merge_tickets(actor=agent_actor, source=source, target=target)
    assert _document(source.pk) is None
    # Appending to a merged-away ticket: nothing to append to, the rebuild leaves no document.
    assert _append(source) == [("append", [source.pk]), ("rebuild", [source.pk])]
    assert _document(source.pk) is None
    # A document built before the merge (its events not indexed yet) is not appended to either.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {schema.TICKET_TABLE} (ticket_id, title, body, ticket_updated_at, updated_at, "  # noqa: S608
            "last_message_id, message_count, vector) VALUES (%s, 'Source', 'source text', now(), now(), 0, 0, NULL)",
            [source.pk],
        )
    assert _append(source) == [("append", [source.pk]), ("rebuild", [source.pk])]
    assert _document(source.pk) is None
    # The target holds both tickets' messages; a new one is appended after them.
    _same_as_rebuild(target)
    _message(target, "after the merge")
    assert _append(target) == [("append", [target.pk])]
    body = _same_as_rebuild(target)[1]
    assert "source text" in body and body.endswith("after the merge")


@on_postgres
def test_messages_missing_below_the_mark_rebuild(ticket: Ticket, indexed: Callable[[], Any]) -> None:
    """A message committed after a higher id was indexed, or one moved away or deleted: the count
    of messages up to `last_message_id` no longer matches, and the document is rebuilt."""
    other = make_ticket(subject="Elsewhere", body_text="elsewhere")
    late = _message(ticket, "committed late")
    Message.objects.filter(pk=late.pk).update(ticket=other)  # not visible yet
    _message(ticket, "committed first")
    assert _append(ticket) == [("append", [ticket.pk])]
    Message.objects.filter(pk=late.pk).update(ticket=ticket)  # now it is
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    assert "committed late" in _same_as_rebuild(ticket)[1]
    Message.objects.filter(pk=late.pk).delete()
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    assert "committed late" not in _same_as_rebuild(ticket)[1]


@on_postgres
def test_edited_old_message_is_seen_by_a_full_rebuild(ticket: Ticket) -> None:
    """No event kind edits or redacts a message: a changed body reaches the index through a full
    rebuild (`index_ticket`, the retry task, `reindex`), which never appends."""
    Message.objects.filter(ticket=ticket).update(body_text="[redacted]")
    _message(ticket, "a new one")
    with _statements() as seen:
        indexing.index_ticket(ticket.pk)
    assert seen == [("rebuild", [ticket.pk])]
    body = _same_as_rebuild(ticket)[1]
    assert "захиалгын" not in body and body.endswith("[redacted]\na new one")


@on_postgres
def test_documents_from_before_the_message_mark_are_rebuilt(ticket: Ticket) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {schema.TICKET_TABLE} SET last_message_id = NULL, message_count = NULL "  # noqa: S608
            "WHERE ticket_id = %s",
            [ticket.pk],
        )
    _message(ticket, "reply")
    assert _append(ticket) == [("append", [ticket.pk]), ("rebuild", [ticket.pk])]
    _same_as_rebuild(ticket)


@on_postgres
def test_batches_append_for_new_messages_only(ticket: Ticket, indexed: Callable[[], Any], agent_actor: Actor) -> None:
    fresh = make_customer()
    with indexed():
        other = make_ticket(fresh, subject="Other", body_text="other text")
    with _statements() as seen, indexed():
        ticket_actions.add_reply(actor=agent_actor, ticket=ticket, body_text="a reply")  # and a status change
        ticket_actions.add_reply(actor=agent_actor, ticket=other, body_text="other reply")
    # (later batches: the events the subscribers recorded, which change no text: appended, i.e. no-ops)
    assert {(kind, tuple(ids)) for kind, ids in seen} == {("append", (ticket.pk, other.pk))}
    _same_as_rebuild(ticket)
    # A subject change in the same batch: that ticket is rebuilt only, the other still appended.
    with _statements() as seen, indexed(), transaction.atomic():  # one transaction: its events one batch
        ticket_actions.update_ticket(actor=agent_actor, ticket=ticket, subject="Renamed")
        ticket_actions.add_reply(actor=agent_actor, ticket=ticket, body_text="after the rename")
        ticket_actions.add_reply(actor=agent_actor, ticket=other, body_text="another")
    assert seen[:2] == [("append", [other.pk]), ("rebuild", [ticket.pk])]
    assert {kind for kind, _ in seen[2:]} <= {"append"}
    assert _same_as_rebuild(ticket)[0] == "Renamed"
    _same_as_rebuild(other)


def test_full_builds_record_how_far_the_messages_go(ticket: Ticket) -> None:
    """Every vendor: a rebuild (and on SQLite any indexing call) sets the message mark."""
    new = _message(ticket, "second")
    indexing.index_tickets([], appendable=[ticket.pk])
    document = ticket.search_document.__class__.objects.get(ticket=ticket)
    assert (document.last_message_id, document.message_count) == (new.pk, 2)
    assert document.body.endswith("дугаар 42 დაიბლოკა\nsecond")


@on_postgres
def test_schema_turns_a_generated_vector_into_a_plain_one_keeping_its_values(ticket: Ticket) -> None:
    table = schema.TICKET_TABLE
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks: ALTER TABLE refuses them
        cursor.execute(f"ALTER TABLE {table} DROP COLUMN vector")
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN vector tsvector GENERATED ALWAYS AS ({schema._VECTOR}) STORED")
        cursor.execute(f"SELECT vector::text FROM {table} WHERE ticket_id = %s", [ticket.pk])  # noqa: S608
        generated = cursor.fetchone()
        schema.ensure_schema(connection)
        schema.ensure_schema(connection)  # idempotent
        cursor.execute(
            "SELECT attgenerated FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'vector'", [table]
        )
        assert cursor.fetchone() == ("",)
        cursor.execute(f"SELECT vector::text FROM {table} WHERE ticket_id = %s", [ticket.pk])  # noqa: S608
        assert cursor.fetchone() == generated and generated is not None and "'дугаар'" in generated[0]
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'search_ticket_vector'")
        assert cursor.fetchone() == (1,)
    _message(ticket, "appended to the kept vector")
    assert _append(ticket) == [("append", [ticket.pk])]
    _same_as_rebuild(ticket)
