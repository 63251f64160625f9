"""A small hand-built desk whose KPI values are worked out by hand in the tests.

Period under test: Monday 2026-03-02 00:00 UTC (T0) to T0 + 7 days. The previous period is the
week before. Times below are offsets from T0.

t0  c1  email  team A  a1   opened -30d, solved -30d+1h                (before both periods)
t5  c4  email  team A  a1   opened -3d, reply -3d+1h, still open       (previous period)
t6  c2  chat   team B  —    opened -2d, never answered                 (previous period)
t1  c1  email  team A  a1   opened +1h, reply +2h, reply+solve +5h     CSAT 5 at +6h
t2  c2  chat   team B  b1   opened +1d, reply+solve +1d30m             CSAT 2 at +1d1h
t3  c1  email  team A  a1   opened +2d, reply+solve +2d2h, customer writes +2d3h (reopens),
                            reply+solve +2d5h                          CSAT 4 at +2d6h
t4  c3  web    team B  —    opened +3d, never answered
NPS answers in the period: 10, 9, 7, 3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from helpline.core.actors import Actor
from helpline.surveys import actions as survey_actions
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Status, Ticket
from tests.factories import make_agent, make_customer, make_team

T0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@dataclass
class Desk:
    team_a: Any
    team_b: Any
    a1: Any
    b1: Any
    customers: dict[str, Any]
    tickets: dict[str, Ticket]


def _open(customer: Any, at: dt.datetime, channel: str, team: Any, agent: Any = None) -> Ticket:
    return ticket_actions.open_ticket(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject="Help",
        body_text="Please help",
        channel=channel,
        team=team,
        assignee=agent,
        language=customer.language or "en",
        created_at=at,
    )


def _reply(ticket: Ticket, agent: Any, at: dt.datetime, solve: bool = False) -> None:
    ticket_actions.add_message(
        actor=Actor.of_agent(agent),
        ticket=Ticket.objects.get(pk=ticket.pk),
        kind=MessageKind.REPLY,
        body_text="Answer",
        new_status=Status.SOLVED if solve else None,
        created_at=at,
    )


def _rate(ticket: Ticket, rating: int, at: dt.datetime) -> None:
    survey = survey_actions.create_csat_survey(actor=Actor.system(), ticket=Ticket.objects.get(pk=ticket.pk), at=at)
    assert survey is not None
    survey_actions.answer_csat(actor=Actor.of_customer(survey.customer), survey=survey, rating=rating, at=at)


def build() -> Desk:
    a1, b1 = make_agent(), make_agent()
    team_a, team_b = make_team("A", [a1]), make_team("B", [b1])
    c = {name: make_customer(name=name, language="ka" if name == "c2" else "en") for name in ("c1", "c2", "c3", "c4")}
    t: dict[str, Ticket] = {}
    t["t0"] = _open(c["c1"], T0 - 30 * D, "email", team_a, a1)
    _reply(t["t0"], a1, T0 - 30 * D + H, solve=True)
    t["t5"] = _open(c["c4"], T0 - 3 * D, "email", team_a, a1)
    _reply(t["t5"], a1, T0 - 3 * D + H)
    t["t6"] = _open(c["c2"], T0 - 2 * D, "chat", team_b)
    t["t1"] = _open(c["c1"], T0 + H, "email", team_a, a1)
    _reply(t["t1"], a1, T0 + 2 * H)
    _reply(t["t1"], a1, T0 + 5 * H, solve=True)
    _rate(t["t1"], 5, T0 + 6 * H)
    t["t2"] = _open(c["c2"], T0 + D, "chat", team_b, b1)
    _reply(t["t2"], b1, T0 + D + H / 2, solve=True)
    _rate(t["t2"], 2, T0 + D + H)
    t["t3"] = _open(c["c1"], T0 + 2 * D, "email", team_a, a1)
    _reply(t["t3"], a1, T0 + 2 * D + 2 * H, solve=True)
    ticket_actions.add_message(
        actor=Actor.of_customer(c["c1"]),
        ticket=Ticket.objects.get(pk=t["t3"].pk),
        kind=MessageKind.INBOUND,
        body_text="Still broken",
        created_at=T0 + 2 * D + 3 * H,
    )
    _reply(t["t3"], a1, T0 + 2 * D + 5 * H, solve=True)
    _rate(t["t3"], 4, T0 + 2 * D + 6 * H)
    t["t4"] = _open(c["c3"], T0 + 3 * D, "web", team_b)
    supervisor = make_agent("supervisor")
    campaign = survey_actions.create_nps_campaign(
        actor=Actor.of_agent(supervisor), name="Spring", sample_size=10, scheduled_for=T0 + 4 * D
    )
    surveys = survey_actions.run_nps_campaign(actor=Actor.system(), campaign=campaign, at=T0 + 4 * D)
    assert len(surveys) == 4
    for survey, score in zip(sorted(surveys, key=lambda s: s.customer.name), (10, 9, 7, 3), strict=True):
        survey_actions.answer_nps(actor=Actor.of_customer(survey.customer), survey=survey, score=score, at=T0 + 4 * D)
    return Desk(team_a=team_a, team_b=team_b, a1=a1, b1=b1, customers=c, tickets=t)
