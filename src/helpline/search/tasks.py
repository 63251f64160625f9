"""Background search work on the "search" queue: retries of failed indexing, and re-indexing
every ticket of a customer whose name or addresses changed."""

from __future__ import annotations

from django_tasks import task

from helpline.search import indexing

BATCH = 500


@task(queue_name="search")
def index_ticket_task(ticket_id: int) -> None:
    indexing.index_ticket(ticket_id)


@task(queue_name="search")
def index_customer_task(customer_id: int) -> None:
    if indexing.index_customer(customer_id):
        reindex_customer_tickets(customer_id)


def reindex_customer_tickets(customer_id: int) -> int:
    """The customer's indexed tickets carry the requester's name and addresses: rebuild them in batches."""
    written = 0
    ids = indexing.indexed_tickets_of([customer_id])
    for start in range(0, len(ids), BATCH):
        written += indexing.index_tickets(ids[start : start + BATCH])
    return written


@task(queue_name="search")
def reindex_customer_tickets_task(customer_id: int) -> None:
    reindex_customer_tickets(customer_id)
