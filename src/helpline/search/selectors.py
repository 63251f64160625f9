# ruff: noqa: S611 -- RawSQL gets SQL from the search backends; user input is always a parameter.
"""Full-text search over tickets and customers (English, Georgian, Amharic, Mongolian, Telugu).

Agents search the denormalised documents through the database's full-text index (PostgreSQL
tsvector + pg_trgm, SQLite FTS5; see `backends`). A portal customer searches only their own
tickets and only what they may read (no internal notes), matched in Python with the same rules.
A search costs a constant number of queries whatever it finds.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL

from helpline.core.actors import Actor
from helpline.customers.models import Customer, CustomerIdentity
from helpline.search.backends import get_backend
from helpline.search.matching import Document, score
from helpline.search.query import ParsedQuery, parse_query
from helpline.tickets.models import Message, MessageKind, Ticket
from helpline.tickets.selectors import visible_tickets, with_list_relations

MAX_LIMIT = 100
# A customer's own tickets searched in Python: the most recently updated ones.
CUSTOMER_SEARCH_SCOPE = 500


def filter_tickets_by_text(
    qs: QuerySet[Ticket], query: str, *, rank: bool = False, public_only: bool = False
) -> QuerySet[Ticket]:
    """`qs` narrowed to tickets matching `query`. With `rank`, annotated with `search_rank` and
    ordered by it (best first). With `public_only`, internal notes are not searched (for
    customers; `qs` must then be small, such as one customer's tickets).

    On PostgreSQL the matches are the most recently updated 300 (`FILTER_MATCHES`), which keeps
    a filtered ticket list fast on a million tickets whatever the words."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return qs.none()
    if public_only:
        ranked = _rank_public(qs, parsed, limit=None)
        return qs.filter(pk__in=ranked)
    backend = get_backend()
    compiled = backend.compile(parsed)
    if compiled is None:
        return qs.none()
    sql, params = backend.ticket_ids_sql(compiled)
    qs = qs.filter(pk__in=RawSQL(sql, params))
    if rank:
        column = f'"{qs.model._meta.db_table}"."id"'
        rank_sql, rank_params = backend.ticket_rank_sql(compiled, column)
        qs = qs.annotate(search_rank=RawSQL(rank_sql, rank_params)).order_by("-search_rank", "-updated_at", "-id")
    return qs


def search_tickets(*, actor: Actor, query: str, limit: int = 25) -> list[Ticket]:
    """Tickets the actor may see that match `query`, best first (a ticket number typed as the
    whole query puts that ticket first). Loaded with the list relations."""
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = parse_query(query)
    visible = visible_tickets(actor)
    if parsed.is_empty or visible.query.is_empty():
        return []
    if actor.customer is not None:
        ids = _rank_public(visible, parsed, limit=limit)
    else:
        backend = get_backend()
        compiled = backend.compile(parsed)
        ids = []
        if compiled is not None:
            within = None
            if visible.query.where:
                within = visible.values("pk").query.sql_with_params()
            ids = backend.ranked_ticket_ids(compiled, within=within, limit=limit)
    if parsed.number is not None:
        by_number = list(visible.filter(number=parsed.number, merged_into__isnull=True).values_list("pk", flat=True))
        ids = [*by_number, *(pk for pk in ids if pk not in by_number)][:limit]
    if not ids:
        return []
    found = {t.pk: t for t in with_list_relations(Ticket.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def search_customers(query: str, limit: int = 20) -> list[Customer]:
    """Customers (not merged away) matching `query` by name, e-mail, phone, handle or
    organisation, best first, with identities and organisations prefetched. For agents."""
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = parse_query(query)
    if parsed.is_empty:
        return []
    backend = get_backend()
    compiled = backend.compile(parsed)
    if compiled is None:
        return []
    ids = backend.ranked_customer_ids(compiled, limit=limit)
    if not ids:
        return []
    customers = Customer.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("identities", queryset=CustomerIdentity.objects.order_by("kind", "value")), "organizations"
    )
    found = {c.pk: c for c in customers}
    return [found[pk] for pk in ids if pk in found]


def _rank_public(qs: QuerySet[Ticket], parsed: ParsedQuery, *, limit: int | None) -> list[int]:
    """Match the subject and the public messages of (a bounded number of) `qs`'s tickets."""
    if parsed.is_empty:
        return []
    tickets = list(
        qs.filter(merged_into__isnull=True)
        .order_by("-updated_at", "-id")
        .values_list("pk", "subject", "updated_at")[:CUSTOMER_SEARCH_SCOPE]
    )
    documents = {pk: Document(subject, "") for pk, subject, _updated in tickets}
    messages = (
        Message.objects.filter(ticket_id__in=list(documents))
        .exclude(kind=MessageKind.NOTE)
        .values_list("ticket_id", "body_text")
    )
    for ticket_id, text in messages:
        documents[ticket_id].add(text)
    scored = [(score(parsed, documents[pk]), updated, pk) for pk, _subject, updated in tickets]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (s[0], s[1], s[2]), reverse=True)
    ids = [pk for _score, _updated, pk in ranked]
    return ids if limit is None else ids[:limit]
