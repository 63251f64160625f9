"""A bad rating triggers an automation: a "survey answered" rule with a condition on the rating
reopens the ticket and notifies a supervisor; a good rating, or a rating changed among bad ones,
does not match."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.surveys.models import CsatSurvey
from helpline.surveys.tokens import survey_url
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Status, Ticket
from helpline.workflow import rule_actions
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def _solved(commits: Any) -> Ticket:
    agent = make_agent()
    ticket = make_ticket(make_customer(), assignee=agent)
    with commits():
        ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Done", new_status=Status.SOLVED)
    return Ticket.objects.get(pk=ticket.pk)


def _answer(ticket: Ticket, rating: int, comment: str, commits: Any) -> None:
    survey = CsatSurvey.objects.get(ticket=ticket)
    path = "/" + survey_url("csat", survey.public_id).split("://", 1)[1].split("/", 1)[1]
    with commits():
        response = Client().post(path, {"rating": str(rating), "comment": comment})
    assert response.status_code == 302


def test_a_bad_rating_reopens_and_notifies_a_supervisor(commits: Any) -> None:
    admin = make_agent("admin")
    with commits():
        rule_actions.save_rule(
            actor=Actor.of_agent(admin),
            name="Bad rating: reopen and tell the supervisor",
            trigger="survey_answered",
            conditions_all=[
                {"field": "survey.rating", "op": "lt", "value": "3"},
                {"field": "survey.previous_rating", "op": "not_set", "value": ""},
            ],
            actions=[
                {"type": "set", "field": "status", "value": "open"},
                {
                    "type": "notify",
                    "to": "lead@example.ge",
                    "subject": "Bad rating on {{ ticket.reference }}",
                    "body": "A customer was unhappy with {{ ticket.reference }}.",
                },
            ],
            active=True,
        )
    bad, good = _solved(commits), _solved(commits)
    mail.outbox.clear()
    _answer(good, 5, "Great", commits)
    good.refresh_from_db()
    assert good.status == Status.SOLVED and not [m for m in mail.outbox if "lead@example.ge" in m.to]

    _answer(bad, 1, "Nobody read my message", commits)
    bad.refresh_from_db()
    assert bad.status == Status.OPEN
    [notice] = [m for m in mail.outbox if "lead@example.ge" in m.to]
    assert bad.reference in notice.subject
    # changed from 1 to 2 (still bad): the rule asks for a first answer, so nothing fires again
    with commits():
        ticket_actions.update_ticket(actor=Actor.of_agent(admin), ticket=bad, status=Status.SOLVED)
    _answer(bad, 2, "", commits)
    bad.refresh_from_db()
    assert bad.status == Status.SOLVED
    assert len([m for m in mail.outbox if "lead@example.ge" in m.to]) == 1


def test_rating_conditions_are_checked_when_saved() -> None:
    with pytest.raises(InvalidInputError):
        rule_actions.save_rule(
            actor=Actor.of_agent(make_agent("admin")),
            name="Bad op",
            trigger="survey_answered",
            conditions_all=[{"field": "survey.rating", "op": "contains", "value": "1"}],
            actions=[{"type": "add_tags", "tags": "unhappy"}],
            active=True,
        )
