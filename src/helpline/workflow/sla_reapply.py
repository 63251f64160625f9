"""Re-evaluate SLA policies for all open tickets after a policy or calendar change, set-based.

Matching runs as one UPDATE per policy (last to first, so the first match wins); due times of
calendar-time targets are one UPDATE per (policy, target). Business-time targets need the calendar
maths: on PostgreSQL they are computed for all clocks at once (`sla_due_sql`, numpy), elsewhere
in Python in batches.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value

from helpline.tickets.models import ACTIVE_STATUSES, Ticket
from helpline.workflow.models import ClockKind, SlaClock, SlaPolicy, TicketState
from helpline.workflow.sla_clocks import calendar_for, deadline

BATCH = 2000


def policy_q(policy: SlaPolicy, prefix: str = "") -> Q:
    """The policy's conditions as a filter on tickets (`prefix` reaches the ticket from another model)."""
    q = Q()
    for key, values in (policy.conditions or {}).items():
        if not values:
            continue
        if key == "tags":
            q &= Q(**{f"{prefix}pk__in": Ticket.objects.filter(tags__name__in=values).values("pk")})
        elif key == "organization":
            q &= Q(**{f"{prefix}organization__public_id__in": values})
        elif key == "customer_tier":
            q &= Q(**{f"{prefix}requester__custom_attributes__tier__in": values})
        else:
            q &= Q(**{f"{prefix}{key}__in": values})
    return q


def rematch_open_tickets() -> None:
    states = TicketState.objects.filter(ticket__status__in=ACTIVE_STATUSES)
    states.exclude(policy=None).update(policy=None)
    for policy in reversed(list(SlaPolicy.objects.filter(active=True).order_by("position", "id"))):
        TicketState.objects.filter(policy_q(policy, "ticket__"), ticket__status__in=ACTIVE_STATUSES).update(
            policy=policy
        )
    SlaClock.objects.filter(ticket__status__in=ACTIVE_STATUSES).update(
        policy=Subquery(TicketState.objects.filter(ticket_id=OuterRef("ticket_id")).values("policy_id")[:1])
    )


def recompute_due_times(policies: list[SlaPolicy] | None = None) -> int:
    """Recompute due and warning times of running clocks; returns how many clocks were updated."""
    policies = policies if policies is not None else list(SlaPolicy.objects.all())
    running = Q(started_at__isnull=False, met_at__isnull=True)
    updated = (
        SlaClock.objects.filter(running, policy__isnull=True).exclude(due_at=None).update(due_at=None, warn_at=None)
    )
    for policy in policies:
        for kind in ClockKind.values:
            clocks = SlaClock.objects.filter(running, policy=policy, kind=kind)
            minutes = policy.target_minutes(kind)
            if minutes is None:
                updated += clocks.update(due_at=None, warn_at=None)
            elif not policy.business_hours:
                remaining = ExpressionWrapper(
                    Value(dt.timedelta(minutes=minutes)) - F("spent"), output_field=DurationField()
                )
                warn = dt.timedelta(minutes=policy.warn_before_minutes)
                updated += clocks.update(
                    due_at=F("started_at") + remaining, warn_at=F("started_at") + remaining - Value(warn)
                )
            else:
                updated += _recompute_in_python(policy, kind, minutes, clocks)
    return updated


def _recompute_in_python(policy: SlaPolicy, kind: str, minutes: int, clocks: object) -> int:
    count = 0
    target = dt.timedelta(minutes=minutes)
    warn = dt.timedelta(minutes=policy.warn_before_minutes)
    calendars: dict[int | None, object] = {}
    batch: list[SlaClock] = []
    for clock in clocks.select_related("ticket").iterator(chunk_size=BATCH):  # type: ignore[attr-defined]
        team_id = clock.ticket.team_id
        if team_id not in calendars:
            calendars[team_id] = calendar_for(policy, clock.ticket)
        clock.due_at = deadline(calendars[team_id], clock.started_at, target - clock.spent)  # type: ignore[arg-type]
        clock.warn_at = clock.due_at - warn
        batch.append(clock)
        if len(batch) >= BATCH:
            count += SlaClock.objects.bulk_update(batch, ["due_at", "warn_at"])
            batch = []
    if batch:
        count += SlaClock.objects.bulk_update(batch, ["due_at", "warn_at"])
    return count


def reapply_policies() -> int:
    """Re-match open tickets and recompute due times; returns how many clocks changed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            from helpline.workflow.sla_reapply_sql import rematch_and_recompute

            return rematch_and_recompute(list(SlaPolicy.objects.order_by("position", "id")))
        rematch_open_tickets()
        return recompute_due_times()
