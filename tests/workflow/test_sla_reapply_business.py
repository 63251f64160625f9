"""Re-evaluating business-time targets after a policy change (set-based on PostgreSQL, numpy over the
calendar's working intervals) gives the due times the clock maths gives, per team calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Priority, Status
from helpline.workflow import sla_actions
from helpline.workflow.models import BusinessCalendar, SlaClock
from helpline.workflow.sla_clocks import deadline
from tests.factories import make_team, make_ticket

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def _expected(clock: SlaClock, calendar: BusinessCalendar | None, minutes: int) -> Any:
    span = dt.timedelta(minutes=minutes) - clock.spent
    return deadline(calendar.to_calendar() if calendar else None, clock.started_at, span)


def test_policy_change_recomputes_business_due_times(clock: Any, run: Any, office_hours: BusinessCalendar) -> None:
    night = make_team("Night desk")
    night_hours = sla_actions.save_calendar(
        actor=SYSTEM,
        name="Night shift",
        time_zone="America/New_York",
        shifts=[{"weekday": d, "start": "22:00", "end": "06:00"} for d in range(7)],
        team=night,
    )
    policy = sla_actions.save_policy(
        actor=SYSTEM, name="Office", first_response_minutes=240, resolution_minutes=960, business_hours=True
    )
    day_tickets, night_tickets = [], []
    for _ in range(6):
        clock.advance(hours=7, minutes=13)
        day_tickets.append(run(make_ticket, priority=Priority.NORMAL))
        night_tickets.append(run(make_ticket, priority=Priority.NORMAL, team=night))
    # One ticket waits on the customer for a while: its clock has time spent and restarts later.
    run(ticket_actions.update_ticket, actor=SYSTEM, ticket=day_tickets[0], status=Status.PENDING)
    clock.advance(hours=30)
    run(ticket_actions.update_ticket, actor=SYSTEM, ticket=day_tickets[0], status=Status.OPEN)

    sla_actions.save_policy(
        actor=SYSTEM,
        policy=policy,
        name="Office",
        first_response_minutes=90,
        resolution_minutes=600,
        business_hours=True,
        warn_before_minutes=20,
    )
    checked = 0
    for tickets, calendar in ((day_tickets, office_hours), (night_tickets, night_hours)):
        for ticket in tickets:
            for sla in SlaClock.objects.filter(ticket=ticket, started_at__isnull=False, met_at__isnull=True):
                minutes = {"first_response": 90, "resolution": 600}.get(sla.kind)
                if minutes is None:
                    assert sla.due_at is None
                    continue
                assert sla.due_at == _expected(sla, calendar, minutes), (ticket.number, sla.kind)
                assert sla.warn_at == sla.due_at - dt.timedelta(minutes=20)
                checked += 1
    assert checked >= 20
