from __future__ import annotations

from typing import Any

import pytest

from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_incoming_message_language_is_detected(commits: Any) -> None:
    customer = make_customer()
    assert customer.language == ""
    with commits():
        ticket = make_ticket(customer, subject="ბარათი", body_text="ჩემი ბარათი ჯერ არ მოსულა")
    message = Message.objects.get(ticket=ticket)
    assert message.meta["language"] == "ka" and message.meta["language_method"] == "script"
    customer.refresh_from_db()
    assert customer.language == "ka"


def test_known_customer_language_is_kept_and_replies_are_not_touched(commits: Any) -> None:
    customer = make_customer(language="en")
    with commits():
        ticket = make_ticket(customer, subject="Карт", body_text="Миний карт ирээгүй байна")
        ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="ბოდიში")
    customer.refresh_from_db()
    assert customer.language == "en"
    inbound, reply = Message.objects.filter(ticket=ticket).order_by("id")
    assert inbound.meta["language"] == "mn"
    assert "language" not in reply.meta


def test_detected_language_sets_the_ticket_language_before_routing(commits: Any) -> None:
    from helpline.workflow.models import AgentRouting, Strategy, TeamRouting
    from tests.factories import make_team

    english, georgian = make_agent(), make_agent()
    team = make_team(members=[english, georgian])
    TeamRouting.objects.create(team=team, strategy=Strategy.SKILLS, respect_working_hours=False)
    AgentRouting.objects.create(agent=english, skills=["lang:en"])
    AgentRouting.objects.create(agent=georgian, skills=["lang:ka"])
    customer = make_customer()
    with commits():
        ticket = make_ticket(customer, subject="ბარათი", body_text="ჩემი ბარათი ჯერ არ მოსულა", team=team)
    ticket.refresh_from_db()
    assert ticket.language == "ka" and ticket.assignee == georgian
    with commits():
        other = make_ticket(make_customer(), subject="Card", body_text="My card has not arrived yet", team=team)
    other.refresh_from_db()
    assert other.language == "en" and other.assignee == english
    # A ticket opened with a language keeps it.
    with commits():
        kept = make_ticket(make_customer(), subject="Карт", body_text="Миний карт ирээгүй байна", language="en")
    kept.refresh_from_db()
    assert kept.language == "en" and Message.objects.get(ticket=kept).meta["language"] == "mn"
