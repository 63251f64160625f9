"""Keep SLA clocks in step with ticket events, and find clocks that are due for a warning or a breach."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from helpline.core import batching
from helpline.core.bulk import insert_rows
from helpline.tickets.models import EventKind, MessageKind, Ticket, TicketEvent
from helpline.workflow.models import ClockKind, SlaClock, TicketState
from helpline.workflow.sla_clocks import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    TicketClocks,
    active_policies,
    condition_keys,
    status_changed,
)

REMATCH_KINDS = {
    EventKind.PRIORITY_CHANGED,
    EventKind.TYPE_CHANGED,
    EventKind.TAGS_CHANGED,
    EventKind.TEAM_CHANGED,
    EventKind.REQUESTER_CHANGED,
}
SLA_KINDS = REMATCH_KINDS | {EventKind.CREATED, EventKind.MESSAGE_ADDED, EventKind.STATUS_CHANGED}


STARTED_KEY = "workflow.sla_started_events"


def start_new_tickets(events: Sequence[TicketEvent]) -> None:
    """A batch's new tickets (their "created" events) get their state and clocks together: the
    tickets locked in one statement, the policies matched in memory, the rows inserted in one
    statement each. Tickets that already have clocks (an event run twice) are left to
    `apply_event`. The events done here are remembered in the batch, so `apply_event` skips them."""
    created = {e.ticket_id: e for e in events if e.kind == EventKind.CREATED}
    if not created:
        return
    started_now: list[int] = []
    wanted = condition_keys(active_policies())  # what matching them reads beside the ticket row
    query = Ticket.objects.select_for_update(of=("self",)).filter(pk__in=created).order_by("pk")
    related = [name for name, key in (("requester", "customer_tier"), ("organization", "organization")) if key in wanted]
    if related:
        query = query.select_related(*related)
    if "tags" in wanted:
        query = query.prefetch_related("tags")
    with transaction.atomic():
        tickets = list(query)
        started = set(TicketState.objects.filter(ticket_id__in=created).values_list("ticket_id", flat=True))
        started |= set(SlaClock.objects.filter(ticket_id__in=created).values_list("ticket_id", flat=True))
        states, clocks = [], []
        for ticket in tickets:
            if ticket.pk in started:
                continue
            event = created[ticket.pk]
            ticket_clocks = TicketClocks.fresh(ticket, event.created_at)
            ticket_clocks.rematch()
            ticket_clocks.start(ClockKind.FIRST_RESPONSE)
            ticket_clocks.start(ClockKind.RESOLUTION)
            if ticket.status in PAUSED_STATUSES:
                ticket_clocks.pause_all()
            state, rows = ticket_clocks.rows()
            states.append(state)
            clocks += rows
            started_now.append(event.pk)
        if states:
            TicketState.objects.bulk_create(
                states, update_conflicts=True, unique_fields=["ticket"], update_fields=["policy", "status_since"]
            )
            insert_rows(SlaClock, clocks)
    skip: set[int] = batching.memo(STARTED_KEY, set)
    skip.update(started_now)  # committed: `apply_event` leaves these alone
    replied = {
        e.ticket_id
        for e in events
        if e.kind == EventKind.MESSAGE_ADDED
        and e.data.get("kind") == MessageKind.INBOUND
        and e.created_at != e.ticket.created_at
    }
    if replied:
        known: dict[int, dict[str, tuple[object, object, bool]]] = batching.memo(RESPONSE_CLOCKS_KEY, dict)
        for ticket_id in replied:
            known.setdefault(ticket_id, {})
        for ticket_id, kind, met_at, started_at, paused in _response_clocks(replied):
            known[ticket_id][kind] = (met_at, started_at, paused)


RESPONSE_CLOCKS_KEY = "workflow.response_clocks"


def _response_clocks(ticket_ids: set[int]) -> list[tuple[int, str, object, object, bool]]:
    return list(
        SlaClock.objects.filter(
            ticket_id__in=ticket_ids, kind__in=(ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE)
        ).values_list("ticket_id", "kind", "met_at", "started_at", "paused")
    )


def apply_event(event: TicketEvent) -> bool:
    """Advance the ticket's clocks for one event, at the moment the event happened. False when the
    event cannot have moved any of them (so their due moments are as before)."""
    if event.kind not in SLA_KINDS:
        return False
    if event.kind == EventKind.CREATED and event.pk in batching.memo(STARTED_KEY, set):
        return True  # started with the rest of its batch (start_new_tickets)
    if event.kind == EventKind.MESSAGE_ADDED and event.data.get("kind") == MessageKind.NOTE:
        return False
    inbound = event.kind == EventKind.MESSAGE_ADDED and event.data.get("kind") == MessageKind.INBOUND
    if inbound and event.created_at == event.ticket.created_at:
        return False  # the customer's message that opened the ticket: its "created" event started the clocks
    if inbound and not _may_start_next_response(event.ticket_id):
        return False  # the usual customer message: no clock moves, nothing to lock or write
    now = event.created_at
    read_for_batch: dict[int, dict[str, tuple[object, object, bool]]] = batching.memo(RESPONSE_CLOCKS_KEY, dict)
    read_for_batch.pop(event.ticket_id, None)  # its clocks change: read them again
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("requester", "organization")
            .get(pk=event.ticket_id)
        )
        clocks = TicketClocks(ticket, now)
        if event.kind == EventKind.CREATED:
            clocks.rematch()
            clocks.state.status_since = now
            clocks.start(ClockKind.FIRST_RESPONSE)
            clocks.start(ClockKind.RESOLUTION)
            if ticket.status in PAUSED_STATUSES:
                clocks.pause_all()
        elif event.kind == EventKind.MESSAGE_ADDED:
            first, following = clocks[ClockKind.FIRST_RESPONSE], clocks[ClockKind.NEXT_RESPONSE]
            if event.data.get("kind") == MessageKind.REPLY and event.actor_agent_id is not None:
                clocks.meet(ClockKind.FIRST_RESPONSE)
                clocks.meet(ClockKind.NEXT_RESPONSE)
            elif (
                first.met_at is not None
                and following.started_at is None
                and not following.paused
                and ticket.status not in DONE_STATUSES
            ):
                clocks.start(ClockKind.NEXT_RESPONSE)
                if ticket.status in PAUSED_STATUSES:
                    clocks[ClockKind.NEXT_RESPONSE].started_at = None
                    clocks[ClockKind.NEXT_RESPONSE].paused = True
        elif event.kind == EventKind.STATUS_CHANGED:
            status_changed(clocks, str(event.before or ""), str(event.after or ""))
        else:
            clocks.rematch()
        clocks.save()
    return True


def _may_start_next_response(ticket_id: int) -> bool:
    """A customer's message starts the next-response clock only once the first response is met and
    that clock is idle; read without a lock (the full path re-reads under the ticket's lock)."""
    read_for_batch: dict[int, dict[str, tuple[object, object, bool]]] = batching.memo(RESPONSE_CLOCKS_KEY, dict)
    if ticket_id in read_for_batch:  # read with the rest of the batch (start_new_tickets), unchanged since
        clocks = read_for_batch[ticket_id]
    else:
        clocks = {
            kind: (met_at, started_at, paused) for _t, kind, met_at, started_at, paused in _response_clocks({ticket_id})
        }
    first, following = clocks.get(ClockKind.FIRST_RESPONSE), clocks.get(ClockKind.NEXT_RESPONSE)
    if first is None or first[0] is None:
        return False
    return following is None or (following[1] is None and not following[2])


# -- warnings and breaches -----------------------------------------------------------------------


@dataclass(frozen=True)
class DueClock:
    clock_id: int
    ticket_id: int
    kind: str
    what: str  # "warning" | "breach"
    due_at: dt.datetime


def claim_due(now: dt.datetime, *, limit: int = 500) -> list[DueClock]:
    """Claim clocks whose warning or breach moment has passed. Each claim is a conditional UPDATE,
    so with several workers sweeping at once every warning and breach is handed out exactly once."""
    claimed: list[DueClock] = []
    running = Q(started_at__isnull=False, met_at__isnull=True)
    for what, moment_field, flag_field in (("warning", "warn_at", "warned_at"), ("breach", "due_at", "breached_at")):
        rows = list(
            SlaClock.objects.filter(running, **{f"{moment_field}__lte": now, f"{flag_field}__isnull": True})
            .order_by(moment_field)
            .values_list("id", "ticket_id", "kind", "due_at")[:limit]
        )
        for clock_id, ticket_id, kind, due_at in rows:
            won = SlaClock.objects.filter(pk=clock_id, **{f"{flag_field}__isnull": True}).update(**{flag_field: now})
            if won and due_at is not None:
                claimed.append(DueClock(clock_id, ticket_id, kind, what, due_at))
    return claimed


def next_due_moment(after: dt.datetime) -> dt.datetime | None:
    """The earliest warning or breach still ahead, to schedule the next sweep."""
    running = Q(started_at__isnull=False, met_at__isnull=True)
    warn = (
        SlaClock.objects.filter(running, warned_at__isnull=True, warn_at__gt=after)
        .order_by("warn_at")
        .values_list("warn_at", flat=True)
        .first()
    )
    due = (
        SlaClock.objects.filter(running, breached_at__isnull=True, due_at__gt=after)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    moments = [m for m in (warn, due) if m is not None]
    return min(moments) if moments else None
