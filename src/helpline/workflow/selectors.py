"""Reads of workflow state: SLA time-to-breach for one ticket or a page of tickets (one query)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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
