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
