from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.surveys import actions
from helpline.surveys.actions import SurveyClosedError
from helpline.surveys.models import CsatSurvey
from helpline.surveys.tokens import make_token
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Status
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db


def _solve(ticket: Any, agent: Any, commits: Any) -> None:
    with commits():
        ticket_actions.add_reply(
            actor=Actor.of_agent(agent), ticket=ticket, body_text="Fixed it.", new_status=Status.SOLVED
        )


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"]+/survey/[^\s\"?]+/\?rating=\d+", body)


@pytest.fixture
def solved(commits: Any) -> tuple[Any, Any, Any]:
    team = make_team()
    agent = make_agent(teams=[team])
    customer = make_customer(language="ka")
    ticket = make_ticket(customer, assignee=agent, team=team)
    mail.outbox.clear()
    _solve(ticket, agent, commits)
    return ticket, agent, customer


def test_solving_a_ticket_mails_one_click_links_in_the_customers_language(solved: Any) -> None:
    ticket, agent, customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert (survey.customer, survey.agent, survey.team_id, survey.language) == (customer, agent, ticket.team_id, "ka")
    assert survey.rating is None
    [message] = [m for m in mail.outbox if "/survey/" in m.body]
    assert message.to == [customer.email]
    links = _links(message.body)
    assert sorted(int(link.rsplit("=", 1)[1]) for link in links) == [1, 2, 3, 4, 5]
    html = message.alternatives[0][0]
    assert len(_links(html)) == 5


def test_a_ticket_solved_twice_keeps_its_one_survey(solved: Any, commits: Any) -> None:
    ticket, agent, customer = solved
    with commits():
        ticket_actions.add_message(actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text="Again")
    mail.outbox.clear()
    ticket.refresh_from_db()
    _solve(ticket, agent, commits)
    assert CsatSurvey.objects.filter(ticket=ticket).count() == 1
    assert not [m for m in mail.outbox if "/survey/" in m.body]


def test_one_click_records_the_rating_and_the_page_speaks_the_customers_language(solved: Any) -> None:
    ticket, _agent, _customer = solved
    link = _links([m for m in mail.outbox if "/survey/" in m.body][0].body)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = Client().get("/" + path)
    assert response.status_code == 200
    assert 'lang="ka"' in response.content.decode()
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.rating == int(link.rsplit("=", 1)[1])
    assert survey.answered_at is not None


def test_answer_can_be_changed_with_a_comment_then_closes(solved: Any) -> None:
    ticket, _agent, _customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    url = f"/survey/{make_token('csat', survey.public_id)}/"
    client = Client()
    assert client.get(url + "?rating=2").status_code == 200
    response = client.post(url, {"rating": "5", "comment": "  Lovely help, thank you!  "})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (5, "Lovely help, thank you!")
    later = survey.first_answered_at + actions.change_window() + dt.timedelta(seconds=1)
    with pytest.raises(SurveyClosedError):
        actions.answer_csat(actor=Actor.of_customer(survey.customer), survey=survey, rating=1, at=later)
    survey.first_answered_at = timezone.now() - actions.change_window() - dt.timedelta(minutes=1)
    survey.save(update_fields=["first_answered_at"])
    response = client.get(url + "?rating=1")
    assert response.status_code == 409  # the link used again after the window: a page, not an error
    page = response.content.decode()
    assert "(5)" in page and "survey-scale" not in page  # says the answer is kept; no form to answer again
    survey.refresh_from_db()
    assert survey.rating == 5


@pytest.mark.parametrize("value", ["0", "6", "x", "-1", ""])
def test_ratings_outside_the_scale_are_refused(solved: Any, value: str) -> None:
    ticket, _agent, _customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    response = Client().get(f"/survey/{make_token('csat', survey.public_id)}/?rating={value}")
    assert response.status_code == 422
    assert "1" in response.content.decode() and "5" in response.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None
    with pytest.raises(InvalidInputError):
        actions.answer_csat(actor=Actor.of_customer(survey.customer), survey=survey, rating=value)


def test_forged_and_expired_links_get_a_clear_page(solved: Any) -> None:
    ticket, _agent, _customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    token = make_token("csat", survey.public_id)
    forged = Client().get(f"/survey/{token[:-3]}abc/?rating=5")
    assert forged.status_code == 400
    assert "does not work" in forged.content.decode()
    with override_settings(SURVEY_LINK_MAX_AGE=-1):
        expired = Client().get(f"/survey/{token}/?rating=5")
    assert expired.status_code == 410
    assert "closed" in expired.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None


def test_agents_and_other_customers_cannot_answer(solved: Any) -> None:
    ticket, agent, _customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    with pytest.raises(Exception, match="someone else"):
        actions.answer_csat(actor=Actor.of_customer(make_customer()), survey=survey, rating=5)
    with pytest.raises(Exception, match="Only the customer"):
        actions.answer_csat(actor=Actor.of_agent(agent), survey=survey, rating=5)


def test_ticket_page_shows_the_rating(solved: Any) -> None:
    ticket, agent, customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    actions.answer_csat(actor=Actor.of_customer(customer), survey=survey, rating=4, comment="Quick and kind")
    client = Client()
    client.force_login(make_agent(Role.AGENT))
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-csat"' in page
    assert "4/5" in page and "Quick and kind" in page


def test_a_bad_rating_leaves_an_internal_note_once(solved: Any, commits: Any) -> None:
    ticket, _agent, customer = solved
    survey = CsatSurvey.objects.get(ticket=ticket)
    with commits():
        actions.answer_csat(actor=Actor.of_customer(customer), survey=survey, rating=2, comment="Slow")
    with commits():
        actions.answer_csat(actor=Actor.of_customer(customer), survey=survey, rating=1)
    notes = list(ticket.messages.filter(kind="note"))
    assert len(notes) == 1
    assert "rated this ticket 2 out of 5" in notes[0].body_text and "Slow" in notes[0].body_text
    with commits():
        actions.answer_csat(actor=Actor.of_customer(customer), survey=survey, rating=5)
    assert ticket.messages.filter(kind="note").count() == 1


def test_backdated_solves_are_not_surveyed(commits: Any) -> None:
    agent = make_agent()
    ticket = make_ticket(assignee=agent, created_at=timezone.now() - dt.timedelta(days=3))
    mail.outbox.clear()
    with commits():
        ticket_actions.add_message(
            actor=Actor.of_agent(agent),
            ticket=ticket,
            kind="reply",
            body_text="Done",
            new_status=Status.SOLVED,
            created_at=timezone.now() - dt.timedelta(days=2),
        )
    assert not CsatSurvey.objects.filter(ticket=ticket).exists()
    assert not [m for m in mail.outbox if "/survey/" in m.body]
