"""Reads of workflow state: SLA time-to-breach for one ticket or a page of tickets (one query), and
the live time-to-breach annotation and filters that ticket lists sort and filter by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from helpline.tickets.models import Ticket
from helpline.workflow.models import ClockKind, SlaClock


@dataclass(frozen=True)
class SlaStatus:
    kind: str
    due_at: dt.datetime | None
    breached: bool
    paused: bool

    @property
    def label(self) -> str:
        return str(ClockKind(self.kind).label)


def sla_statuses(ticket_ids: Iterable[int]) -> dict[int, SlaStatus]:
    """The most urgent unmet target of each ticket: the nearest due time of a running clock, else
    a paused clock (shown as paused). Tickets without a target are absent."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    result: dict[int, SlaStatus] = {}
    rows = (
        SlaClock.objects.filter(ticket_id__in=ids, met_at__isnull=True, policy__isnull=False)
        .exclude(started_at__isnull=True, paused=False)
        .values_list("ticket_id", "kind", "due_at", "breached_at", "paused")
        .order_by("ticket_id", "due_at")
    )
    for ticket_id, kind, due_at, breached_at, paused in rows:
        if paused:
            result.setdefault(ticket_id, SlaStatus(kind, None, breached_at is not None, True))
            continue
        if due_at is None:
            continue
        current = result.get(ticket_id)
        if current is None or current.paused or (current.due_at and due_at < current.due_at):
            result[ticket_id] = SlaStatus(kind, due_at, breached_at is not None, False)
    return result


# -- live time-to-breach for lists ---------------------------------------------------------------

SLA_DUE_FIELD = "sla_due_at"
MAX_DUE_WITHIN_HOURS = 24 * 366


def running_clocks() -> QuerySet[SlaClock]:
    """Targets whose clock runs now (not paused, not met); served by the `sla_clock_running` index."""
    return SlaClock.objects.filter(started_at__isnull=False, met_at__isnull=True, due_at__isnull=False)


def with_sla_due(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `sla_due_at`: the earliest due time of the ticket's running SLA targets (NULL when
    no target runs: no policy, paused, or all met). One correlated index lookup per ticket."""
    earliest = running_clocks().filter(ticket_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    return qs.annotate(**{SLA_DUE_FIELD: Subquery(earliest)})


def filter_sla(
    qs: QuerySet[Ticket], *, breached: bool = False, due_within_hours: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    """Tickets whose earliest running target is already past due (`breached`), or falls due within
    the next `due_within_hours` (not yet breached). Both given means breached ones only."""
    moment = now or timezone.now()
    if breached:
        qs = qs.filter(Exists(running_clocks().filter(ticket_id=OuterRef("pk"), due_at__lte=moment)))
    if due_within_hours is not None:
        horizon = moment + dt.timedelta(hours=due_within_hours)
        if breached:
            return qs
        qs = qs.filter(
            Exists(running_clocks().filter(ticket_id=OuterRef("pk"), due_at__gt=moment, due_at__lte=horizon))
        ).exclude(Exists(running_clocks().filter(ticket_id=OuterRef("pk"), due_at__lte=moment)))
    return qs


# -- what a customer is told ---------------------------------------------------------------------


def expected_first_response(ticket: Ticket) -> dt.datetime | None:
    """When the ticket's first response is due: its running first-response clock, else what the
    SLA policy that matches it now gives (the clocks may not have started yet when a new ticket
    is acknowledged). None without a first-response target."""
    from helpline.workflow.sla_clocks import calendar_for, choose_policy, deadline

    clock = (
        SlaClock.objects.filter(ticket=ticket, kind=ClockKind.FIRST_RESPONSE, met_at__isnull=True)
        .exclude(due_at__isnull=True)
        .values_list("due_at", flat=True)
        .first()
    )
    if clock is not None:
        return clock
    policy = choose_policy(ticket)
    if policy is None or not policy.first_response_minutes:
        return None
    span = dt.timedelta(minutes=policy.first_response_minutes)
    return deadline(calendar_for(policy, ticket), ticket.created_at, span)
