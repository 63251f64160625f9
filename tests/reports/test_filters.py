"""Report filters and the previous-period comparison on the hand-built desk of `dataset.py`:
tag, language, agent and channel narrow every figure; each headline carries the figure of the
week before; an NPS score off the 0–10 scale is refused on the survey page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.reports import breakdowns, dashboard, kpis
from helpline.reports.filters import ReportFilter
from helpline.surveys.models import NpsSurvey
from helpline.surveys.tokens import survey_url
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket
from tests.factories import make_agent
from tests.reports.dataset import T0, D, Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    desk = build()
    for name in ("t1", "t3"):  # c1's two email tickets of the week
        ticket_actions.update_ticket(
            actor=Actor.of_agent(desk.a1), ticket=Ticket.objects.get(pk=desk.tickets[name].pk), add_tags=["vip"]
        )
    return desk


def week(**kwargs: Any) -> ReportFilter:
    return ReportFilter(start=T0, end=T0 + 7 * D, **kwargs)


def test_tag_filter(desk: Desk) -> None:
    f = week(tag="vip")
    assert kpis.created_count(f) == 2 and kpis.solved_count(f) == 2
    assert (kpis.csat(f).part, kpis.csat(f).whole) == (2, 2)  # 5 and 4
    frt = kpis.first_response_time(f)  # t1 1h, t3 2h; nearest-rank median of two is the first
    assert (frt.count, frt.median, frt.p90) == (2, pytest.approx(3600, abs=1), pytest.approx(7200, abs=1))
    assert (kpis.reopen_rate(f).part, kpis.reopen_rate(f).whole) == (1, 2)  # t3
    assert dict(breakdowns.volume_by(f, "channel")) == {"email": 2}
    assert kpis.created_count(week(tag="nosuchtag")) == 0


def test_language_agent_and_channel_filters(desk: Desk) -> None:
    ka = week(language="ka")  # only c2's chat ticket t2
    assert kpis.created_count(ka) == 1 and (kpis.csat(ka).part, kpis.csat(ka).whole) == (0, 1)
    assert kpis.resolution_time(ka).median == pytest.approx(1800, abs=1)
    a1 = week(agent_id=desk.a1.pk)  # t1, t3
    assert kpis.solved_count(a1) == 2 and kpis.first_contact_resolution(a1).whole == 2
    assert kpis.first_contact_resolution(a1).part == 0  # t1 two replies, t3 reopened
    chat = week(channel="chat")
    assert kpis.response_time(chat).count == 1 and kpis.response_time(chat).median == pytest.approx(1800, abs=1)
    web = week(channel="web")  # t4, never answered
    assert kpis.first_response_time(web).count == 0 and kpis.backlog(web).total == 1


def test_headlines_compare_with_the_previous_week(desk: Desk) -> None:
    heads = {h.key: h for h in dashboard.build(week(), now=T0 + 7 * D).headlines}
    # previous week: t5 (opened -3d, answered after 1h) and t6 (opened -2d, never answered)
    assert (heads["created"].value, heads["created"].previous, heads["created"].change) == (4, 2, 2)
    assert (heads["solved"].value, heads["solved"].previous) == (3, 0)
    assert heads["frt"].previous == pytest.approx(3600, abs=1) and heads["frt"].value == pytest.approx(3600, abs=1)
    assert (heads["csat"].value, heads["csat"].previous, heads["csat"].change) == (66.7, None, None)
    assert heads["repeat"].value == 50.0 and heads["repeat"].previous == 0.0  # t5, t6: no earlier tickets
    assert heads["repeat"].improved is False  # more repeat contacts is worse


@pytest.mark.parametrize("score", ["11", "-1", "7.5", "ten"])
def test_nps_scores_off_the_scale_are_refused(desk: Desk, score: str) -> None:
    survey = NpsSurvey.objects.order_by("pk").first()
    assert survey is not None
    before = survey.score
    path = "/" + survey_url("nps", survey.public_id).split("://", 1)[1].split("/", 1)[1]
    response = Client().post(path, {"rating": score})
    assert response.status_code == 422
    alert = response.content.decode().split('role="alert">', 1)[1].split("</div>", 1)[0]
    assert "0" in alert and "10" in alert  # "Choose a rating from 0 to 10." in the customer's language
    survey.refresh_from_db()
    assert survey.score == before


def test_report_page_with_filters_and_comparison(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    page = client.get("/reports/?start=2026-03-02&end=2026-03-08&tag=vip").content.decode()
    assert 'data-kpi="csat"' in page and "100.0%" in page and "2 / 2" in page
    assert "▲" in page  # tickets opened: 2 tagged this week against none the week before
