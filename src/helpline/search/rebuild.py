# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""Rebuilding every search document in bulk (the `reindex` command).

Documents are built inside the database, one `INSERT … SELECT` per range of ids (messages and
identities aggregated with `string_agg` / `group_concat`), so a million tickets never pass
through Python; on PostgreSQL several connections build ranges side by side, and a load into an
empty table drops the ticket indexes first and builds them once at the end. SQLite builds
customer documents in Python (embedded desks are small).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections, transaction
from django.utils import timezone

from helpline.customers.models import Customer
from helpline.search import rebuild_sql as sql
from helpline.search import schema
from helpline.search.indexing import index_customers
from helpline.search.models import TicketSearchDocument
from helpline.search.schema import CUSTOMER_FTS, TICKET_FTS, TICKET_TABLE
from helpline.tickets.models import Ticket

Progress = Callable[[int], object]
Batch = Callable[[int, int], int]


def rebuild_tickets(
    *, batch_size: int = 5000, fresh: bool = False, jobs: int = 1, progress: Progress | None = None
) -> int:
    """Rebuild every ticket document; `fresh` empties the table first. Returns documents written."""
    postgres = connection.vendor == "postgresql"
    if not postgres:
        schema.ensure_schema(connection)  # restores the FTS triggers if a table rebuild dropped them
    if fresh:
        _empty(TICKET_TABLE)
    bulk = _standalone() and not TicketSearchDocument.objects.exists()
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def build(low: int, high: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute(sql.POSTGRES_TICKETS, [now, low, high, low, high])
            else:
                cursor.execute(sql.SQLITE_TICKETS, [now, low, high])
            count = max(cursor.rowcount, 0)
            cursor.execute(sql.DELETE_MERGED_TICKETS, [low, high])
            if postgres and not bulk:
                cursor.execute(sql.POSTGRES_TICKET_WORDS, [low, high])
        return count

    if bulk:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_ticket_vector")
            cursor.execute("DROP INDEX IF EXISTS search_ticket_recent")
    try:
        written = _run(Ticket, build, batch_size=batch_size, jobs=jobs, progress=progress)
    finally:
        if bulk:  # even after a failure: search must not be left without its indexes
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(schema.TICKET_VECTOR_INDEX)
                cursor.execute(schema.TICKET_RECENT_INDEX)
    with connection.cursor() as cursor:
        if bulk:
            cursor.execute(sql.POSTGRES_TICKET_WORDS, [0, 2**62])
        if postgres:
            # VACUUM sets the visibility map, which the candidate function's recency scans rely on.
            cursor.execute(f"{'VACUUM ANALYZE' if _standalone() else 'ANALYZE'} {TICKET_TABLE}")
        else:
            cursor.execute(f"INSERT INTO {TICKET_FTS}({TICKET_FTS}) VALUES ('rebuild')")
    return written


def rebuild_customers(*, batch_size: int = 5000, jobs: int = 1, progress: Progress | None = None) -> int:
    """Rebuild every customer document (merged-away customers lose theirs). Returns customers indexed."""
    postgres = connection.vendor == "postgresql"
    if not postgres:
        schema.ensure_schema(connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def build(low: int, high: int) -> int:
        if not postgres:
            ids = list(Customer.objects.filter(pk__gte=low, pk__lt=high).values_list("pk", flat=True))
            index_customers(ids)
            return len(ids)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.POSTGRES_CUSTOMERS, [now, low, high])
            count = max(cursor.rowcount, 0)
            cursor.execute(sql.DELETE_MERGED_CUSTOMERS, [low, high])
        return count

    written = _run(Customer, build, batch_size=batch_size, jobs=jobs, progress=progress)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(sql.POSTGRES_CUSTOMER_WORDS)
        else:
            cursor.execute(f"INSERT INTO {CUSTOMER_FTS}({CUSTOMER_FTS}) VALUES ('rebuild')")
    return written


def _standalone() -> bool:
    """PostgreSQL outside a caller's transaction: free to drop indexes, VACUUM, use more connections."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _empty(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}" if _standalone() else f"DELETE FROM {table}")


def _run(
    model: type[Ticket] | type[Customer], build: Batch, *, batch_size: int, jobs: int, progress: Progress | None
) -> int:
    """Call `build(low, high)` for consecutive id ranges covering the model's table, on `jobs`
    connections when standalone; returns the sum of what `build` returned."""
    ids = model.objects.order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    if first is None or last is None:
        return 0
    ranges = [(low, low + batch_size) for low in range(first, last + 1, batch_size)]
    lock = threading.Lock()
    total = 0

    def one(pair: tuple[int, int]) -> None:
        nonlocal total
        count = build(*pair)
        with lock:
            total += count
            if progress is not None:
                progress(count)

    if jobs <= 1 or not _standalone():
        for pair in ranges:
            one(pair)
        return total

    def in_own_connection(pair: tuple[int, int]) -> None:
        try:
            one(pair)
        finally:
            connections.close_all()  # this worker thread's connections only

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(in_own_connection, ranges))
    return total
