"""Ticket numbers: human-friendly, unique, handed out without two writers waiting on each other.

PostgreSQL draws them from a sequence (migration 0008), so a batch holding its transaction open
does not make every other writer queue on a counter row; SQLite (one writer at a time anyway) keeps
the `tickets_counter` row. Numbers of a transaction that rolls back are not reused."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from helpline.tickets.models import Counter

TICKET_NUMBER_START = 1000
SEQUENCE = "tickets_ticket_number_seq"


def next_ticket_numbers(count: int) -> list[int]:
    """`count` new ticket numbers, ascending, in one statement."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)", [count])  # noqa: S608
            return sorted(int(row[0]) for row in cursor.fetchall())
        cursor.execute(
            "UPDATE tickets_counter SET value = value + %s WHERE name = %s RETURNING value", [count, "ticket"]
        )
        row = cursor.fetchone()
    if row is None:  # the very first tickets
        try:
            with transaction.atomic():
                Counter.objects.create(name="ticket", value=TICKET_NUMBER_START - 1)
        except IntegrityError:
            pass
        return next_ticket_numbers(count)
    last = int(row[0])
    return list(range(last - count + 1, last + 1))
