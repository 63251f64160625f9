# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""Keeping search documents in step with tickets and customers.

Called from `hooks.py` after a change commits (and from `tasks.py` when that is retried or fans
out). Each call reads the current state and overwrites the document, so running it twice, late
or out of order is harmless. Merged-away tickets and customers have no document: their content
lives on in the ticket or customer they were merged into.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from helpline.core.bulk import insert_rows
from helpline.customers.models import Customer, CustomerIdentity
from helpline.search.documents import customer_body
from helpline.search.models import CustomerSearchDocument, TicketSearchDocument
from helpline.search.schema import CUSTOMER_TABLE, WORD_TABLE
from helpline.tickets.models import Ticket

_CUSTOMER_FIELDS = ["title", "body", "updated_at"]
# Words kept for spelling correction: letters only, 4 to 64 characters.
WORD_FILTER = r"char_length(w) BETWEEN 4 AND 64 AND w !~ '[[:digit:][:punct:]]'"


def index_ticket(ticket_id: int, *, appendable: bool = False) -> bool:
    """Rebuild one ticket's document (or append its new messages: see `index_tickets`). Returns
    False when the ticket has none (gone or merged)."""
    return bool(index_tickets([], appendable=[ticket_id]) if appendable else index_tickets([ticket_id]))


def index_tickets(ticket_ids: Iterable[int], *, appendable: Iterable[int] = ()) -> int:
    """Rebuild the documents of `ticket_ids`; returns how many were written. Built inside the
    database (`rebuild_sql`, the same text as `documents.ticket_body`): one statement on PostgreSQL
    (documents, the gone or merged tickets' documents dropped, the new words kept), two on SQLite.

    `appendable`: tickets whose text may have changed since their document was built by new
    messages only (no other change of subject, requester or merge). On PostgreSQL their new
    messages are appended to the document where it is still exact (`POSTGRES_TICKETS_APPEND`),
    without parsing the earlier ones again; the others are rebuilt with `ticket_ids`, as is every
    ticket on SQLite. A ticket in both is rebuilt."""
    from helpline.search import rebuild_sql as sql  # it reads this module's WORD_FILTER

    ids = sorted(set(ticket_ids))
    extra = sorted(set(appendable) - set(ids))
    if not ids and not extra:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            appended: set[int] = set()
            if extra:
                lock = sorted({*ids, *extra})
                cursor.execute(sql.POSTGRES_TICKETS_APPEND, {"ids": extra, "lock": lock, "now": now})
                appended = {int(row[0]) for row in cursor.fetchall()}
                ids = sorted({*ids, *(pk for pk in extra if pk not in appended)})
            if not ids:
                return len(appended)
            cursor.execute(sql.POSTGRES_TICKETS_BY_ID, {"ids": ids, "now": now})
            row = cursor.fetchone()
            return len(appended) + (int(row[0]) if row else 0)
        ids = sorted({*ids, *extra})
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(sql.SQLITE_DELETE_GONE_TICKETS.format(ids=marks), [*ids, *ids])
        cursor.execute(sql.SQLITE_TICKETS_BY_ID.format(ids=marks), [now, *ids])
        return max(cursor.rowcount, 0)


def touch_ticket(ticket_id: int) -> None:
    """A change that alters no text (status, assignee, ...) still moves the ticket in time."""
    updated_at = Ticket.objects.filter(pk=ticket_id).values_list("updated_at", flat=True).first()
    if updated_at is not None:
        TicketSearchDocument.objects.filter(ticket_id=ticket_id).update(ticket_updated_at=updated_at)


def index_customer(customer_id: int) -> bool:
    """Rebuild one customer's document. Returns True when it changed or is new (the name and
    addresses are in the customer's tickets' documents too), so the caller can re-index those."""
    return bool(index_customers([customer_id]))


def indexed_tickets_of(customer_ids: Iterable[int]) -> list[int]:
    """The tickets of these requesters that have a document: it holds the requester's name and
    addresses as they were when built. A ticket without one yet (a new customer's new ticket) is
    indexed from its own events, with the customer as they are then."""
    return list(
        TicketSearchDocument.objects.filter(ticket__requester_id__in=list(customer_ids))
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)
    )


def index_customers(customer_ids: Iterable[int]) -> list[int]:
    """Rebuild these customers' documents; returns the ids whose document changed, appeared or went."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    if connection.vendor == "postgresql":  # built inside the database, in one statement
        from helpline.search import rebuild_sql as sql

        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.POSTGRES_CUSTOMERS_BY_ID, {"ids": ids, "now": stamp})
            return [int(row[0]) for row in cursor.fetchall()]
    customers = list(
        Customer.objects.filter(pk__in=ids, merged_into__isnull=True).prefetch_related(
            Prefetch("identities", queryset=CustomerIdentity.objects.order_by("kind", "value")), "organizations"
        )
    )
    live = {c.pk for c in customers}
    previous = {
        d.customer_id: (d.title, d.body)
        for d in CustomerSearchDocument.objects.filter(customer_id__in=ids).only("title", "body")
    }
    now = timezone.now()
    documents = [
        CustomerSearchDocument(customer_id=c.pk, title=c.name, body=customer_body(c), updated_at=now) for c in customers
    ]
    changed = [d.customer_id for d in documents if previous.get(d.customer_id) != (d.title, d.body)]
    with transaction.atomic():
        if set(ids) - live:
            CustomerSearchDocument.objects.filter(customer_id__in=set(ids) - live).delete()
        if documents:
            insert_rows(
                CustomerSearchDocument,
                documents,
                via="title",
                update_conflicts=True,
                unique_fields=["customer"],
                update_fields=_CUSTOMER_FIELDS,
            )
        remember_words(CUSTOMER_TABLE, "customer_id", sorted(live))
    gone = [pk for pk in ids if pk in previous and pk not in live]
    return changed + gone


def remember_words(table: str, key: str, ids: list[int]) -> None:
    """Add the words of these documents to the word list used for spelling correction
    (PostgreSQL only; in sorted order so concurrent writers take locks in the same order)."""
    if connection.vendor != "postgresql" or not ids:
        return
    sql = (
        f"INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM {table} d, "
        f"unnest(tsvector_to_array(d.vector)) AS w WHERE d.{key} = ANY(%s) AND {WORD_FILTER} "
        f"ORDER BY w ON CONFLICT (word) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
