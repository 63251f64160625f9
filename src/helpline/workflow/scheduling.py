"""Stored, delayed work: a sweep task enqueued with `run_after` for the next moment something is due.

The sweep is idempotent (every piece of due work is claimed atomically), so a sweep enqueued twice, or
run by two workers at once, still does each piece exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Min, Q
from django_tasks import default_task_backend

from helpline.workflow.models import SlaClock

log = logging.getLogger("helpline.workflow")


def backend_defers() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False))


def schedule_sweep(at: dt.datetime) -> None:
    """Enqueue a sweep to run at `at` (after commit). Backends that cannot defer run sweeps from the
    `workflow_sweep` command or the next scheduled sweep instead."""
    if not backend_defers():
        return
    from helpline.workflow.tasks import sweep_due_work

    transaction.on_commit(lambda: sweep_due_work.using(run_after=at).enqueue())


def schedule_sweep_for_ticket(ticket_id: int) -> None:
    if not backend_defers():
        return
    running = Q(started_at__isnull=False, met_at__isnull=True)
    moments = SlaClock.objects.filter(running, ticket_id=ticket_id).aggregate(
        warn=Min("warn_at", filter=Q(warned_at__isnull=True)), due=Min("due_at", filter=Q(breached_at__isnull=True))
    )
    for moment in (moments["warn"], moments["due"]):
        if moment is not None:
            schedule_sweep(moment)


ANCHOR_EVENTS = {
    "status_since": {"created", "status_changed"},
    "created_at": {"created"},
    "solved_at": {"status_changed"},
    "last_message_at": {"message_added"},
}


def schedule_time_rules_for_event(event_kind: str, ticket_id: int) -> None:
    """A time-based rule's moment is anchor + delay: enqueue a sweep for it when the anchor moves."""
    if not backend_defers():
        return
    from helpline.tickets.models import Ticket
    from helpline.workflow.models import TicketState, Trigger
    from helpline.workflow.rule_cache import active_rules

    for rule in active_rules(Trigger.TIME):
        if event_kind not in ANCHOR_EVENTS.get(rule.anchor, {event_kind}):
            continue
        if rule.anchor == "status_since":
            anchor = TicketState.objects.filter(ticket_id=ticket_id).values_list("status_since", flat=True).first()
        else:
            anchor = Ticket.objects.filter(pk=ticket_id).values_list(rule.anchor, flat=True).first()
        if anchor is not None:
            schedule_sweep(anchor + dt.timedelta(minutes=rule.delay_minutes or 0))
