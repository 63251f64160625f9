"""Each KPI on the hand-built desk of `dataset.py`, against values worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.reports import breakdowns, kpis
from helpline.reports.filters import ReportFilter
from tests.factories import make_team
from tests.reports.dataset import T0, D, Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build()


def week(**kwargs: Any) -> ReportFilter:
    return ReportFilter(start=T0, end=T0 + 7 * D, **kwargs)


def test_first_response_time(desk: Desk) -> None:
    frt = kpis.first_response_time(week())
    # t1 1h, t2 30m, t3 2h → sorted 1800, 3600, 7200
    assert (frt.count, frt.median, frt.p90) == (3, pytest.approx(3600, abs=1), pytest.approx(7200, abs=1))
    assert frt.average == pytest.approx(4200, abs=1)
    team_a = kpis.first_response_time(week(team_id=desk.team_a.pk))
    assert (team_a.count, team_a.median) == (2, pytest.approx(3600, abs=1))


def test_resolution_time(desk: Desk) -> None:
    res = kpis.resolution_time(week())
    # t1 4h, t2 30m, t3 5h (solved again after reopening) → 1800, 14400, 18000
    assert res.count == 3
    assert res.median == pytest.approx(14400, abs=1)
    assert res.p90 == pytest.approx(18000, abs=1)


def test_response_time(desk: Desk) -> None:
    rt = kpis.response_time(week())
    # t1 1h, t2 30m, t3 2h and 2h (after the reopening message); t4 never answered
    assert rt.count == 4
    assert (rt.median, rt.p90) == (pytest.approx(3600, abs=1), pytest.approx(7200, abs=1))
    assert rt.average == pytest.approx(4950, abs=1)


def test_csat_and_filters(desk: Desk) -> None:
    assert (kpis.csat(week()).part, kpis.csat(week()).whole, kpis.csat(week()).percent) == (2, 3, 66.7)
    assert kpis.csat(week(team_id=desk.team_a.pk)).percent == 100.0
    assert kpis.csat(week(agent_id=desk.b1.pk)).percent == 0.0
    assert kpis.csat(week(channel="chat")).whole == 1
    assert kpis.csat(week().previous()).whole == 0


def test_nps(desk: Desk) -> None:
    result = kpis.nps(week())
    assert (result.promoters, result.passives, result.detractors, result.score) == (2, 1, 1, 25.0)
    assert kpis.nps(week().previous()).score is None


def test_reopen_fcr_and_repeat_contacts(desk: Desk) -> None:
    reopen = kpis.reopen_rate(week())
    assert (reopen.part, reopen.whole) == (1, 3)  # t3 of t1, t2, t3
    fcr = kpis.first_contact_resolution(week())
    assert (fcr.part, fcr.whole, fcr.percent) == (1, 3, 33.3)  # only t2: one reply, never reopened
    repeat = kpis.repeat_contact_rate(week())
    assert (repeat.part, repeat.whole) == (2, 4)  # t2 (t6 two days before), t3 (t1 the day before)
    assert kpis.repeat_contact_rate(week(), days=1).part == 0


def test_backlog(desk: Desk) -> None:
    now = T0 + 7 * D
    b = kpis.backlog(week(), now=now)
    # t4 new (4 days), t5 open (10 days), t6 new (9 days)
    assert (b.total, b.new, b.open, b.pending) == (3, 2, 1, 0)
    assert (b.under_1_day, b.days_1_to_3, b.days_3_to_7, b.over_7_days) == (0, 0, 1, 2)
    assert kpis.backlog(week(team_id=desk.team_b.pk), now=now).total == 2


def test_retention_churn_and_loyalty(desk: Desk) -> None:
    r = kpis.retention(week())
    # previous week: c4, c2; this week: c1, c2, c3 → c2 retained, c4 churned
    assert (r.previous_customers, r.retained, r.current_customers) == (2, 1, 3)
    assert (r.retention.percent, r.churn.percent) == (50.0, 50.0)
    loyal = kpis.loyal_customers(week())
    # returning: c1 (t0), c2 (t6); satisfied throughout: c1 (5, 4), not c2 (2)
    assert (loyal.part, loyal.whole) == (1, 3)


def test_volumes(desk: Desk) -> None:
    assert kpis.created_count(week()) == 4
    assert kpis.solved_count(week()) == 3
    assert dict(breakdowns.volume_by(week(), "channel")) == {"email": 2, "chat": 1, "web": 1}
    assert dict(breakdowns.volume_by(week(), "team")) == {"A": 2, "B": 2}
    assert dict(breakdowns.volume_by(week(), "language")) == {"en": 3, "ka": 1}
    assert dict(breakdowns.volume_by(week(), "agent")) == {desk.a1.pk: 2, desk.b1.pk: 1, None: 1}


def test_trend_and_heatmap(desk: Desk) -> None:
    trend = breakdowns.daily_trend(week())
    assert len(trend.days) == 7
    assert trend.created == [1, 1, 1, 1, 0, 0, 0]
    assert trend.solved == [1, 1, 1, 0, 0, 0, 0]
    assert trend.csat_percent[:3] == [100.0, 0.0, 100.0]
    grid = breakdowns.heatmap(week())
    assert (grid[0][1], grid[1][0], grid[2][0], grid[3][0]) == (1, 1, 1, 1)
    assert sum(map(sum, grid)) == 4
    assert breakdowns.csat_distribution(week()) == [0, 1, 0, 1, 1]


def test_csat_breakdowns(desk: Desk) -> None:
    # answers in the week: t1 email/A/en 5, t2 chat/B/ka 2, t3 email/A/en 4
    assert breakdowns.csat_by(week(), "channel") == [("email", 2, 100.0), ("chat", 1, 0.0)]
    assert breakdowns.csat_by(week(), "team") == [("A", 2, 100.0), ("B", 1, 0.0)]
    assert breakdowns.csat_by(week(), "language") == [("en", 2, 100.0), ("ka", 1, 0.0)]
    assert breakdowns.csat_by(week(agent_id=desk.b1.pk), "channel") == [("chat", 1, 0.0)]
    assert breakdowns.csat_by(week().previous(), "team") == []


def test_leaderboard(desk: Desk) -> None:
    board = breakdowns.leaderboard(week())
    assert [row.agent for row in board] == [desk.a1, desk.b1]
    a1, b1 = board
    assert (a1.solved, a1.csat_answers, a1.csat_percent) == (2, 2, 100.0)
    assert a1.first_response_avg == pytest.approx(5400, abs=1)
    assert (b1.solved, b1.csat_percent, b1.first_response_avg) == (1, 0.0, pytest.approx(1800, abs=1))


def test_filters_that_match_nothing_give_empty_figures(desk: Desk) -> None:
    f = week(team_id=make_team().pk)
    assert kpis.first_response_time(f).median is None
    assert kpis.csat(f).percent is None
    assert kpis.first_contact_resolution(f).percent is None
    assert breakdowns.volume_by(f, "channel") == []
    assert breakdowns.leaderboard(f) == []
    assert breakdowns.daily_trend(f).created == [0] * 7


def test_solved_then_closed_is_not_a_reopening(desk: Desk) -> None:
    from helpline.core.actors import Actor
    from helpline.tickets import actions as ticket_actions
    from helpline.tickets.models import Ticket

    ticket_actions.update_ticket(
        actor=Actor.of_agent(desk.a1), ticket=Ticket.objects.get(pk=desk.tickets["t1"].pk), status="closed"
    )
    reopen = kpis.reopen_rate(week())
    assert (reopen.part, reopen.whole) == (1, 3)
