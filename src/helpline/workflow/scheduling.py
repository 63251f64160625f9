"""Stored, delayed work: a sweep task enqueued with `run_after` for the next moment something is due.

The sweep is idempotent (every piece of due work is claimed atomically), so a sweep enqueued twice, or
run by two workers at once, still does each piece exactly once.

SLA moments form a chain: a sweep, once run, stores the sweep for the next warning or breach ahead
(`sweep.run_sweep`), so a ticket whose clocks move needs a sweep stored only when none already waits
to run at or before its earliest moment. A busy mailbox's new tickets (each with a warning and a
breach ahead) add no task and one aggregate per batch of events, instead of two tasks each.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Min, Q
from django_tasks import default_task_backend

from helpline.core import batching
from helpline.workflow.models import SlaClock

log = logging.getLogger("helpline.workflow")


def backend_defers() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False))


SWEEP_TASK = "helpline.workflow.tasks.sweep_due_work"
SLA_SWEEP_KEY = "workflow.sla_sweep_tickets"


def schedule_sweep(at: dt.datetime, *, unless_waiting: bool = False) -> None:
    """Enqueue a sweep to run at `at` (after commit). Backends that cannot defer run sweeps from the
    `workflow_sweep` command or the next scheduled sweep instead. `unless_waiting`: not when a
    stored sweep already waits to run at or before `at` (for moments the chain of sweeps reaches)."""
    if not backend_defers():
        return
    from helpline.workflow.tasks import sweep_due_work

    def enqueue() -> None:
        if unless_waiting and sweep_waiting_by(at):
            return
        sweep_due_work.using(run_after=at).enqueue()

    transaction.on_commit(enqueue)


def sweep_waiting_by(at: dt.datetime) -> bool:
    """A stored sweep waits to run at `at` or before (a sweep without a moment runs at once). False
    when the task backend keeps no rows to look at."""
    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=SWEEP_TASK, status=TaskResultStatus.READY, run_after__lte=at).exists()


def schedule_sweep_for_ticket(ticket_id: int) -> None:
    """The ticket's clocks moved: the chain of sweeps must reach its next warning or breach. In a
    batch (the event feed's), once for all of the batch's tickets at its end."""
    if not backend_defers():
        return
    if batching.defer(SLA_SWEEP_KEY, schedule_sweep_for_tickets, ticket_id):
        return
    schedule_sweep_for_tickets([ticket_id])


def schedule_sweep_for_tickets(ticket_ids: list[int]) -> None:
    """A sweep at the earliest warning or breach ahead of these tickets' running clocks, unless one
    already waits to run by then (the sweeps store the next moment of the chain as they run)."""
    running = Q(started_at__isnull=False, met_at__isnull=True)
    moments = SlaClock.objects.filter(running, ticket_id__in=ticket_ids).aggregate(
        warn=Min("warn_at", filter=Q(warned_at__isnull=True)), due=Min("due_at", filter=Q(breached_at__isnull=True))
    )
    ahead = [moment for moment in (moments["warn"], moments["due"]) if moment is not None]
    if ahead:
        schedule_sweep(min(ahead), unless_waiting=True)


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
