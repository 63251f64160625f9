"""First response and resolution time in business hours, on hand-worked tickets.

Team A works Mon–Fri 09:00–17:00 in Tbilisi (UTC+4, no daylight saving) = 05:00–13:00 UTC, with
Wednesday 2026-03-04 a holiday. The default calendar (used by team B) is every day, all day.
Week under test: Monday 2026-03-02 00:00 UTC to Monday 2026-03-09 00:00 UTC.

ticket  team  opened (UTC)      answered and solved (UTC)   calendar time      business time
a1      A     Mon 12:00          Tue 06:00                   18 h  = 64800 s    Mon 16–17 + Tue 9–10 local = 7200 s
a2      A     Fri 12:30          Mon 03-09 05:15             2 d 16 h 45 min    Fri 16:30–17 + Mon 9–9:15 = 2700 s
                                                             = 233100 s
a3      A     Sat 10:00          Sat 11:00                   3600 s             0 s (weekend)
a4      A     Tue 12:00          Thu 05:30                   149400 s           Tue 16–17, Wed holiday, Thu 9–9:30 = 5400 s
b1      B     Tue 10:00          Tue 10:20                   1200 s             1200 s (24/7)

First response (opened in the week): business 0, 1200, 2700, 5400, 7200 → median (rank 3) 2700,
p90 (rank 5) 7200; average 16500 / 5 = 3300.
Resolution (solved in the week): a2 is solved the next Monday, outside; business 0, 1200, 5400, 7200
→ median (rank 2) 1200, p90 (rank 4) 7200.
Response (customer messages in the week and the next agent reply): the five opening messages as for
the first response, plus on b1 a customer message Tue 11:00 answered Tue 13:00 UTC (7200 s on the
24/7 calendar) and on a1 one Tue 12:30 UTC (16:30 Tbilisi) answered Wed 06:00 (holiday) → only
Tue 16:30–17:00 = 1800 s. Business: 0, 1200, 1800, 2700, 5400, 7200, 7200 → median (rank 4) 2700,
p90 (rank 7) 7200. Calendar: 1200, 3600, 7200, 63000, 64800, 149400, 233100 → median 63000.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpline.core.actors import Actor
from helpline.reports import kpis
from helpline.reports.filters import ReportFilter
from helpline.reports.models import BusinessInterval
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Status, Ticket
from helpline.workflow import sla_actions
from tests.factories import make_agent, make_customer, make_team

pytestmark = pytest.mark.django_db
MON = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
WEEK = ReportFilter(start=MON, end=MON + 7 * D)


def _ticket(team: Any, agent: Any, opened: dt.datetime, answered: dt.datetime) -> Ticket:
    customer = make_customer()
    ticket = ticket_actions.open_ticket(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject="Help",
        body_text="Help",
        team=team,
        assignee=agent,
        created_at=opened,
    )
    ticket_actions.add_message(
        actor=Actor.of_agent(agent),
        ticket=Ticket.objects.get(pk=ticket.pk),
        kind=MessageKind.REPLY,
        body_text="Done",
        new_status=Status.SOLVED,
        created_at=answered,
    )
    return ticket


@pytest.fixture
def desk() -> dict[str, Any]:
    admin = make_agent("admin")
    a, b = make_agent(), make_agent()
    team_a, team_b = make_team("A", [a]), make_team("B", [b])
    weekdays = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
    sla_actions.save_calendar(
        actor=Actor.of_agent(admin),
        name="Tbilisi office",
        time_zone="Asia/Tbilisi",
        shifts=weekdays,
        holidays=["2026-03-04"],
        team=team_a,
    )
    sla_actions.save_calendar(
        actor=Actor.of_agent(admin),
        name="Around the clock",
        time_zone="UTC",
        shifts=[{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
        is_default=True,
    )
    a1 = _ticket(team_a, a, MON + 12 * H, MON + D + 6 * H)
    _ticket(team_a, a, MON + 4 * D + 12.5 * H, MON + 7 * D + 5.25 * H)
    _ticket(team_a, a, MON + 5 * D + 10 * H, MON + 5 * D + 11 * H)
    _ticket(team_a, a, MON + D + 12 * H, MON + 3 * D + 5.5 * H)
    b1 = _ticket(team_b, b, MON + D + 10 * H, MON + D + 10 * H + dt.timedelta(minutes=20))
    return {"team_a": team_a, "team_b": team_b, "a1": a1, "b1": b1}


def test_first_response_in_business_and_calendar_time(desk: dict[str, Any]) -> None:
    business = kpis.first_response_business_time(WEEK)
    assert business is not None
    assert (business.count, business.median, business.p90) == (5, pytest.approx(2700), pytest.approx(7200))
    assert business.average == pytest.approx(3300)
    calendar = kpis.first_response_time(WEEK)
    # 1200, 3600, 64800, 149400, 233100
    assert (calendar.count, calendar.median, calendar.p90) == (
        5,
        pytest.approx(64800, abs=1),
        pytest.approx(233100, abs=1),
    )


def test_response_in_business_and_calendar_time(desk: dict[str, Any]) -> None:
    a1, b1 = desk["a1"], desk["b1"]
    _follow_up(b1, MON + D + 11 * H, MON + D + 13 * H)
    _follow_up(a1, MON + D + 12.5 * H, MON + 2 * D + 6 * H)
    business = kpis.response_business_time(WEEK)
    assert business is not None
    assert (business.count, business.median, business.p90) == (7, pytest.approx(2700), pytest.approx(7200))
    assert business.average == pytest.approx(25500 / 7)
    calendar = kpis.response_time(WEEK)
    assert (calendar.count, calendar.median, calendar.p90) == (
        7,
        pytest.approx(63000, abs=1),
        pytest.approx(233100, abs=1),
    )
    team_b = kpis.response_business_time(ReportFilter(start=MON, end=MON + 7 * D, team_id=desk["team_b"].pk))
    assert team_b is not None and (team_b.count, team_b.median, team_b.p90) == (
        2,
        pytest.approx(1200),
        pytest.approx(7200),
    )


def _follow_up(ticket: Ticket, asked: dt.datetime, answered: dt.datetime) -> None:
    """The customer writes again at `asked`; the assignee answers at `answered`."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_actions.add_message(
        actor=Actor.of_customer(ticket.requester),
        ticket=ticket,
        kind=MessageKind.INBOUND,
        body_text="One more thing",
        created_at=asked,
    )
    ticket_actions.add_message(
        actor=Actor.of_agent(ticket.assignee),
        ticket=Ticket.objects.get(pk=ticket.pk),
        kind=MessageKind.REPLY,
        body_text="Answered",
        created_at=answered,
    )


def test_resolution_in_business_time_and_by_team(desk: dict[str, Any]) -> None:
    business = kpis.resolution_business_time(WEEK)
    assert business is not None
    assert (business.count, business.median, business.p90) == (4, pytest.approx(1200), pytest.approx(7200))
    team_a = kpis.resolution_business_time(ReportFilter(start=MON, end=MON + 7 * D, team_id=desk["team_a"].pk))
    assert team_a is not None and (team_a.count, team_a.median) == (3, pytest.approx(5400))


def test_a_changed_calendar_is_rebuilt(desk: dict[str, Any]) -> None:
    assert kpis.first_response_business_time(WEEK) is not None
    calendar = desk["team_a"].business_calendar
    sla_actions.save_calendar(
        actor=Actor.of_agent(make_agent("admin")),
        name=calendar.name,
        time_zone="Asia/Tbilisi",
        shifts=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        holidays=[],
        team=desk["team_a"],
        calendar=calendar,
    )
    team_a = kpis.first_response_business_time(ReportFilter(start=MON, end=MON + 7 * D, team_id=desk["team_a"].pk))
    # no holiday: a4 becomes Tue 16–17 + Wed 8 h + Thu 9–9:30 = 34200 s; values 0, 2700, 7200, 34200
    assert team_a is not None and (team_a.count, team_a.median, team_a.p90) == (
        4,
        pytest.approx(2700),
        pytest.approx(34200),
    )
    assert BusinessInterval.objects.filter(calendar=calendar).exists()


def test_without_any_calendar_business_time_is_not_shown() -> None:
    assert kpis.first_response_business_time(WEEK) is None


def test_dashboard_shows_business_time_beside_calendar_time_with_definitions(desk: dict[str, Any]) -> None:
    from django.test import Client

    from helpline.accounts.models import Role

    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    page = client.get("/reports/?start=2026-03-02&end=2026-03-08").content.decode()
    for key in ("frt", "frt_business", "response", "response_business", "resolution", "resolution_business"):
        assert f'data-kpi="{key}"' in page
    assert page.index('data-kpi="frt"') < page.index('data-kpi="frt_business"') < page.index('data-kpi="response"')
    assert "45 min" in page  # business first response median 2700 s
    assert "without its holidays" in page
