"""SLA compliance, SLA breached now, and volumes by type and by hour of day, worked out by hand.

Policy: first response within 60 minutes, calendar time. Period: T0 (Monday 2026-03-02 00:00 UTC)
to T0 + 7 days.

A  billing   opened T0+1h, reply T0+1h30                 met in time        (kept)
B  billing   opened T0+2h, reply T0+4h                   met late: breached at T0+3h
C  delivery  opened T0+5h, no reply; sweep at T0+6h01    breached T0+6h01, still unanswered
D  billing   opened T0-1d, reply T0-1d+10m               met before the period (not counted)
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.actors import Actor
from helpline.reports import breakdowns, kpis
from helpline.reports.filters import ReportFilter
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Ticket
from helpline.workflow import sla_actions, sweep
from tests.factories import make_agent, make_customer, make_team
from tests.reports.dataset import T0, D, H

pytestmark = pytest.mark.django_db


def week(**kwargs: Any) -> ReportFilter:
    return ReportFilter(start=T0, end=T0 + 7 * D, **kwargs)


@pytest.fixture
def desk(commits: Any) -> dict[str, Any]:
    sla_actions.save_policy(actor=Actor.system(), name="Hour", first_response_minutes=60, business_hours=False)
    agent = make_agent()
    billing, delivery = make_team("Billing", [agent]), make_team("Delivery", [agent])

    def open_(name: str, at: dt.datetime, team: Any, ticket_type: str) -> Ticket:
        customer = make_customer(name=name)
        with commits():
            ticket = ticket_actions.open_ticket(
                actor=Actor.of_customer(customer),
                requester=customer,
                subject=name,
                body_text="Help",
                channel="email",
                team=team,
                assignee=agent,
                created_at=at,
            )
        with commits():
            ticket_actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, ticket_type=ticket_type)
        return Ticket.objects.get(pk=ticket.pk)

    def reply(ticket: Ticket, at: dt.datetime) -> None:
        with commits():
            ticket_actions.add_message(
                actor=Actor.of_agent(agent), ticket=ticket, kind=MessageKind.REPLY, body_text="On it", created_at=at
            )

    a = open_("A", T0 + H, billing, "question")
    reply(a, T0 + H + H / 2)
    b = open_("B", T0 + 2 * H, billing, "incident")
    reply(b, T0 + 4 * H)
    c = open_("C", T0 + 5 * H, delivery, "incident")
    d = open_("D", T0 - D, billing, "question")
    reply(d, T0 - D + dt.timedelta(minutes=10))
    with commits():
        counts = sweep.run_sweep(T0 + 6 * H + dt.timedelta(minutes=1))
    assert counts["breaches"] == 1  # C (B's breach was recorded when it was answered late)
    return {"billing": billing, "delivery": delivery, "tickets": (a, b, c, d)}


def test_sla_compliance(desk: dict[str, Any]) -> None:
    rate = kpis.sla_compliance(week())
    assert (rate.part, rate.whole, rate.percent) == (1, 3, 33.3)  # A kept; B and C breached; D before
    billing = kpis.sla_compliance(week(team_id=desk["billing"].pk))
    assert (billing.part, billing.whole) == (1, 2)
    assert kpis.sla_compliance(week().previous()).whole == 1  # D, met in time the day before
    assert kpis.sla_compliance(week().previous()).percent == 100.0


def test_sla_breached_now(desk: dict[str, Any]) -> None:
    assert kpis.sla_breaching_now(week()) == 1  # C: breached and still unanswered; B was answered
    assert kpis.sla_breaching_now(week(team_id=desk["billing"].pk)) == 0


def test_volume_by_type_and_by_hour(desk: dict[str, Any]) -> None:
    assert dict(breakdowns.volume_by(week(), "type")) == {"incident": 2, "question": 1}
    grid = breakdowns.heatmap(week())
    by_hour = [sum(row[h] for row in grid) for h in range(24)]
    assert (by_hour[1], by_hour[2], by_hour[5], sum(by_hour)) == (1, 1, 1, 3)
    assert grid[0][1] == grid[0][2] == grid[0][5] == 1  # all on Monday
    # in Tbilisi (UTC+4) the same tickets arrived at 05:00, 06:00 and 09:00
    local = breakdowns.heatmap(ReportFilter(start=T0, end=T0 + 7 * D, tz=ZoneInfo("Asia/Tbilisi")))
    assert (local[0][5], local[0][6], local[0][9]) == (1, 1, 1)
