"""Search subscribers: ticket events and customer changes re-index the documents they touch.

Indexing runs right after the commit (a few milliseconds: one ticket's messages, or only the new
ones when a message is all that changed); when it fails the work is queued as a task on the
"search" queue instead, so the write is never affected and nothing is lost. Re-indexing all
tickets of a renamed customer always goes to the queue.
"""

from __future__ import annotations

import logging

from django.db import transaction

from helpline.core import batching, hooks
from helpline.core.events import CUSTOMER_CHANGED_HOOK, TICKET_EVENT_WORKER_HOOK
from helpline.search import indexing, tasks
from helpline.tickets.models import EventKind, TicketEvent

log = logging.getLogger("helpline.search")

# Events that change a ticket's text (subject, messages, requester) or whether it has a document.
TEXT_EVENTS = {
    EventKind.CREATED,
    EventKind.MESSAGE_ADDED,
    EventKind.SUBJECT_CHANGED,
    EventKind.MERGED,
    EventKind.MERGED_FROM,
    EventKind.REQUESTER_CHANGED,
}
# After these the document is rebuilt; after the others (a new message, a change of no text) the
# new messages are appended to it when it is still exact (`indexing.index_tickets`).
REBUILD_EVENTS = TEXT_EVENTS - {EventKind.MESSAGE_ADDED}


def index_collected_tickets(items: list[tuple[int, bool]]) -> None:
    """A batch's tickets, indexed together (a few queries for all of them). Items: (ticket id,
    rebuilt), the latter True when any of its events in the batch is in REBUILD_EVENTS."""
    rebuild = {ticket_id for ticket_id, rebuilt in items if rebuilt}
    appendable = {ticket_id for ticket_id, _ in items} - rebuild
    try:
        with transaction.atomic():
            indexing.index_tickets(rebuild, appendable=appendable)
    except Exception:
        log.exception("search indexing failed for %s tickets; queued for retry", len(rebuild | appendable))
        for ticket_id in sorted(rebuild | appendable):
            tasks.index_ticket_task.enqueue(ticket_id)


def index_collected_customers(customer_ids: list[int]) -> None:
    """A batch's new or changed customers; their tickets are re-indexed with the batch's tickets."""
    try:
        with transaction.atomic():
            changed = indexing.index_customers(customer_ids)
    except Exception:
        log.exception("search indexing failed for %s customers; queued for retry", len(customer_ids))
        for customer_id in customer_ids:
            tasks.index_customer_task.enqueue(customer_id)
        return
    for ticket_id in indexing.indexed_tickets_of(changed) if changed else []:
        batching.defer(TICKETS_KEY, index_collected_tickets, (ticket_id, True))


TICKETS_KEY = "search.tickets"


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def index_ticket_event(event: TicketEvent) -> None:
    ticket_id = event.ticket_id
    if batching.defer(TICKETS_KEY, index_collected_tickets, (ticket_id, event.kind in REBUILD_EVENTS)):
        return
    try:
        with transaction.atomic():
            if event.kind in TEXT_EVENTS:
                indexing.index_ticket(ticket_id, appendable=event.kind == EventKind.MESSAGE_ADDED)
            else:
                indexing.touch_ticket(ticket_id)
    except Exception:
        log.exception("search indexing failed ticket=%s event=%s; queued for retry", ticket_id, event.kind)
        transaction.on_commit(lambda: tasks.index_ticket_task.enqueue(ticket_id))


@hooks.register(CUSTOMER_CHANGED_HOOK)
def index_changed_customer(customer_id: int) -> None:
    if batching.defer("search.customers", index_collected_customers, customer_id, order=-1):
        return
    try:
        with transaction.atomic():
            changed = indexing.index_customer(customer_id)
    except Exception:
        log.exception("search indexing failed customer=%s; queued for retry", customer_id)
        transaction.on_commit(lambda: tasks.index_customer_task.enqueue(customer_id))
        return
    if changed and indexing.indexed_tickets_of([customer_id]):
        transaction.on_commit(lambda: tasks.reindex_customer_tickets_task.enqueue(customer_id))
