# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""Rebuilding every search document in bulk (the `reindex` command).

Ticket documents are built inside the database, one `INSERT … SELECT` per range of ticket ids
(messages aggregated with `string_agg` / `group_concat`), so a million tickets never pass
through Python. Customer documents need Python (address variants) and go in batches. On
PostgreSQL a fresh build drops the GIN index first and builds it once at the end, which is
several times faster than updating it row by row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from helpline.customers.models import Customer
from helpline.search import schema
from helpline.search.indexing import _WORD_FILTER, index_customers
from helpline.search.schema import CUSTOMER_FTS, MAX_BODY_CHARS, MAX_TITLE_CHARS, TICKET_FTS, TICKET_TABLE, WORD_TABLE
from helpline.tickets.models import Ticket

Progress = Callable[[int], object]

_UPSERT = (
    "ON CONFLICT (ticket_id) DO UPDATE SET title = excluded.title, body = excluded.body, "
    "ticket_updated_at = excluded.ticket_updated_at, updated_at = excluded.updated_at"
)

_POSTGRES_TICKETS = f"""
INSERT INTO {TICKET_TABLE} (ticket_id, title, body, ticket_updated_at, updated_at)
SELECT t.id, left(t.subject, {MAX_TITLE_CHARS}),
       left(concat_ws(E'\\n', nullif(c.name, ''), i.texts, m.texts), {MAX_BODY_CHARS}),
       t.updated_at, %s
FROM tickets_ticket t
JOIN customers_customer c ON c.id = t.requester_id
LEFT JOIN LATERAL (
    SELECT string_agg(replace(ci.value, '+', ''), E'\\n' ORDER BY ci.kind, ci.value) AS texts
    FROM customers_customeridentity ci WHERE ci.customer_id = t.requester_id
) i ON true
LEFT JOIN (
    SELECT m.ticket_id, string_agg(nullif(m.body_text, ''), E'\\n' ORDER BY m.created_at, m.id) AS texts
    FROM tickets_message m WHERE m.ticket_id >= %s AND m.ticket_id < %s GROUP BY m.ticket_id
) m ON m.ticket_id = t.id
WHERE t.id >= %s AND t.id < %s AND t.merged_into_id IS NULL
{_UPSERT}
"""

_SQLITE_TICKETS = f"""
INSERT INTO {TICKET_TABLE} (ticket_id, title, body, ticket_updated_at, updated_at)
SELECT t.id, substr(t.subject, 1, {MAX_TITLE_CHARS}),
       substr(
           coalesce(nullif(c.name, '') || char(10), '')
           || coalesce((SELECT group_concat(v, char(10)) FROM (
                  SELECT replace(ci.value, '+', '') AS v FROM customers_customeridentity ci
                  WHERE ci.customer_id = t.requester_id ORDER BY ci.kind, ci.value)) || char(10), '')
           || coalesce((SELECT group_concat(b, char(10)) FROM (
                  SELECT m.body_text AS b FROM tickets_message m
                  WHERE m.ticket_id = t.id AND m.body_text != '' ORDER BY m.created_at, m.id)), ''),
           1, {MAX_BODY_CHARS}),
       t.updated_at, %s
FROM tickets_ticket t
JOIN customers_customer c ON c.id = t.requester_id
WHERE t.id >= %s AND t.id < %s AND t.merged_into_id IS NULL
{_UPSERT}
"""

_DELETE_MERGED = (
    f"DELETE FROM {TICKET_TABLE} WHERE ticket_id IN "
    "(SELECT id FROM tickets_ticket WHERE id >= %s AND id < %s AND merged_into_id IS NOT NULL)"
)
_POSTGRES_WORDS = (
    f"INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM {TICKET_TABLE} d, "
    f"unnest(tsvector_to_array(d.vector)) AS w WHERE d.ticket_id >= %s AND d.ticket_id < %s AND {_WORD_FILTER} "
    "ORDER BY w ON CONFLICT (word) DO NOTHING"
)


def rebuild_tickets(*, batch_size: int = 5000, fresh: bool = False, progress: Progress | None = None) -> int:
    """Rebuild every ticket document; `fresh` empties the table first. Returns documents written."""
    postgres = connection.vendor == "postgresql"
    if not postgres:
        schema.ensure_schema(connection)  # restores the FTS triggers if a table rebuild dropped them
    bounds = Ticket.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    if first is None or last is None:
        _truncate_tickets(postgres)
        return 0
    # Dropping the GIN index and building it once is far faster, but is DDL: not inside a caller's transaction.
    drop_index = postgres and fresh and not connection.in_atomic_block
    if fresh:
        _truncate_tickets(postgres)
    if drop_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_ticket_vector")
    written = 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = _POSTGRES_TICKETS if postgres else _SQLITE_TICKETS
    for low in range(first, last + 1, batch_size):
        high = low + batch_size
        params = [now, low, high, low, high] if postgres else [now, low, high]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = max(cursor.rowcount, 0)
            cursor.execute(_DELETE_MERGED, [low, high])
            if postgres and not drop_index:
                cursor.execute(_POSTGRES_WORDS, [low, high])
        written += count
        if progress is not None:
            progress(count)
    with connection.cursor() as cursor:
        if drop_index:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(schema.TICKET_VECTOR_INDEX)
            cursor.execute(_POSTGRES_WORDS, [first, last + 1])
        if postgres:
            # VACUUM sets the visibility map, which the candidate function's recency scans rely on.
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {TICKET_TABLE}")
        else:
            cursor.execute(f"INSERT INTO {TICKET_FTS}({TICKET_FTS}) VALUES ('rebuild')")
    return written


def _truncate_tickets(postgres: bool) -> None:
    truncate = postgres and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TICKET_TABLE}" if truncate else f"DELETE FROM {TICKET_TABLE}")


def rebuild_customers(*, batch_size: int = 1000, progress: Progress | None = None) -> int:
    """Rebuild every customer document (merged-away customers lose theirs). Returns customers seen."""
    if connection.vendor == "sqlite":
        schema.ensure_schema(connection)
    seen = 0
    last_pk = 0
    while True:
        ids = list(Customer.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        index_customers(ids)
        last_pk = ids[-1]
        seen += len(ids)
        if progress is not None:
            progress(len(ids))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {CUSTOMER_FTS}({CUSTOMER_FTS}) VALUES ('rebuild')")
    return seen
