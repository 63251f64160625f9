from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.surveys import actions
from helpline.surveys.models import CampaignStatus, NpsCampaign, NpsSurvey
from helpline.surveys.tokens import make_token
from tests.factories import make_agent, make_customer

pytestmark = pytest.mark.django_db


def _campaign(supervisor: Any, **kwargs: Any) -> NpsCampaign:
    defaults: dict[str, Any] = {"name": "Q2", "sample_size": 3, "scheduled_for": timezone.now() + dt.timedelta(days=1)}
    return actions.create_nps_campaign(actor=Actor.of_agent(supervisor), **{**defaults, **kwargs})


def test_sample_size_and_throttle_per_customer() -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    customers = [make_customer() for _ in range(5)]
    first = actions.run_nps_campaign(actor=Actor.system(), campaign=_campaign(supervisor))
    assert len(first) == 3
    asked = {s.customer_id for s in first}
    second = actions.run_nps_campaign(actor=Actor.system(), campaign=_campaign(supervisor, throttle_days=30))
    assert len(second) == 2  # only the two not asked within 30 days
    assert asked.isdisjoint({s.customer_id for s in second})
    assert {s.customer_id for s in first + second} == {c.pk for c in customers}
    later = timezone.now() + dt.timedelta(days=31)
    third = actions.run_nps_campaign(actor=Actor.system(), campaign=_campaign(supervisor, throttle_days=30), at=later)
    assert len(third) == 3


def test_a_campaign_runs_once() -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    make_customer()
    campaign = _campaign(supervisor)
    assert len(actions.run_nps_campaign(actor=Actor.system(), campaign=campaign)) == 1
    assert actions.run_nps_campaign(actor=Actor.system(), campaign=campaign) == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_only_supervisors_create_campaigns_and_input_is_checked() -> None:
    with pytest.raises(NotPermittedError):
        _campaign(make_agent(Role.AGENT))
    supervisor = make_agent(Role.SUPERVISOR)
    with pytest.raises(InvalidInputError):
        _campaign(supervisor, sample_size=0)
    with pytest.raises(InvalidInputError):
        _campaign(supervisor, name=" ")


def test_due_campaign_mails_scores_0_to_10_and_answer_page_asks_the_follow_up(commits: Any) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    customer = make_customer(language="mn")
    mail.outbox.clear()
    with commits():
        _campaign(supervisor, scheduled_for=timezone.now() - dt.timedelta(minutes=1), follow_up_question="Why so?")
    [message] = mail.outbox
    links = re.findall(r"https?://\S+/survey/[^\s\"?]+/\?rating=(\d+)", message.body)
    assert [int(n) for n in links] == list(range(11))
    survey = NpsSurvey.objects.get(customer=customer)
    url = f"/survey/{make_token('nps', survey.public_id)}/"
    client = Client()
    page = client.get(url + "?rating=9")
    assert page.status_code == 200 and 'lang="mn"' in page.content.decode()
    assert "Why so?" in page.content.decode()
    assert client.get(url + "?rating=11").status_code == 422
    assert client.post(url, {"rating": "10", "comment": "Great"}).status_code == 302
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (10, "Great")


def test_sweep_command_runs_due_campaigns() -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    make_customer()
    campaign = _campaign(supervisor)
    NpsCampaign.objects.filter(pk=campaign.pk).update(scheduled_for=timezone.now() - dt.timedelta(hours=1))
    out = io.StringIO()
    call_command("send_due_nps_campaigns", stdout=out)
    assert "1 surveys" in out.getvalue()
    assert NpsSurvey.objects.filter(campaign=campaign).count() == 1


def test_campaigns_page_for_supervisors(commits: Any) -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    make_customer()
    client = Client()
    client.force_login(supervisor)
    with commits():
        response = client.post("/reports/nps/", {"name": "Autumn", "sample_size": "10", "throttle_days": "60"})
    assert response.status_code == 302
    campaign = NpsCampaign.objects.get(name="Autumn")
    assert campaign.status == CampaignStatus.SENT  # no send time: sent now (tasks run immediately in tests)
    survey = campaign.surveys.get()
    actions.answer_nps(actor=Actor.of_customer(survey.customer), survey=survey, score=10)
    page = client.get("/reports/nps/").content.decode()
    assert "Autumn" in page and "<td data-nps>100.0</td>" in page
    bad = client.post("/reports/nps/", {"name": "X", "sample_size": "0", "throttle_days": "60"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    agent = Client()
    agent.force_login(make_agent(Role.AGENT))
    assert agent.get("/reports/nps/").status_code == 403


def test_a_recurring_campaign_runs_each_round_once_from_stored_tasks(settings: Any, commits: Any) -> None:
    import time_machine

    from tests.stored_tasks import waiting_tasks, work_due_tasks

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbound", "webhooks", "search"],
        }
    }
    start = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    task = "helpline.surveys.tasks.run_nps_campaign"
    with time_machine.travel(start, tick=False) as clock:
        supervisor = make_agent(Role.SUPERVISOR)
        customers = [make_customer() for _ in range(3)]
        with commits():
            first = _campaign(
                supervisor, scheduled_for=start + dt.timedelta(hours=1), sample_size=2, throttle_days=20,
                repeat_every_days=30, follow_up_question="Why?",
            )  # fmt: skip
        assert [when for when, _args in waiting_tasks(task)] == [start + dt.timedelta(hours=1)]
        mail.outbox.clear()
        clock.move_to(start + dt.timedelta(hours=1, minutes=1))
        work_due_tasks(commits)
        assert NpsSurvey.objects.filter(campaign=first).count() == 2 and len(mail.outbox) == 2
        second = NpsCampaign.objects.exclude(pk=first.pk).get()
        assert (second.status, second.scheduled_for) == (
            CampaignStatus.SCHEDULED,
            start + dt.timedelta(days=30, hours=1),
        )
        assert (second.sample_size, second.follow_up_question, second.repeat_every_days) == (2, "Why?", 30)
        assert [when for when, _args in waiting_tasks(task)] == [second.scheduled_for]
        # the first round run again (a duplicate task) sends nothing and adds no round
        with commits():
            from helpline.surveys import tasks

            tasks.run_nps_campaign.enqueue(first.pk)
        work_due_tasks(commits)
        assert NpsCampaign.objects.count() == 2 and len(mail.outbox) == 2
        clock.move_to(second.scheduled_for + dt.timedelta(minutes=1))
        work_due_tasks(commits)
        assert NpsSurvey.objects.filter(campaign=second).count() == 2  # the throttle (20 days) has passed
        assert NpsCampaign.objects.filter(status=CampaignStatus.SCHEDULED).get().scheduled_for == start + dt.timedelta(
            days=60, hours=1
        )
        assert {s.customer_id for s in NpsSurvey.objects.all()} <= {c.pk for c in customers}
    with pytest.raises(InvalidInputError):
        _campaign(supervisor, repeat_every_days=-1)
