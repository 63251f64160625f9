from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from helpline.core import hooks
from helpline.core.actors import Actor
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets import actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus, EventKind, TicketEvent
from tests.factories import make_agent, make_customer, make_ticket
from tests.portal.conftest import PNG, link_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return make_agent(display_name="Giorgi")


def test_agent_reply_is_emailed_with_a_link_and_marked_sent(agent, commits):
    customer = make_customer(email="nino@example.ge", name="Nino", language="ka")
    ticket = make_ticket(customer, subject="Printer")
    with commits():
        actions.add_internal_note(actor=Actor.of_agent(agent), ticket=ticket, body_text="SECRET note for agents")
        reply = actions.add_reply(
            actor=Actor.of_agent(agent),
            ticket=ticket,
            body_html="<p>Please restart the printer.</p>",
            attachments=[IncomingFile("steps.png", PNG)],
        )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nino@example.ge"]
    assert f"[#{ticket.number}]" in email.subject and "Printer" in email.subject
    assert "Please restart the printer." in email.body and "SECRET" not in email.body
    # Written in the customer's language (Georgian), with the attachment count.
    assert "Giorgi" in email.body and "1 დანართი" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and '<html lang="ka">' in html and "<p>Please restart the printer.</p>" in html
    assert "SECRET" not in html

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.external_id == email.extra_headers["Message-ID"]
    delivery = TicketEvent.objects.get(ticket=ticket, kind=EventKind.DELIVERY_CHANGED)
    assert delivery.actor_label == "email" and delivery.after == DeliveryStatus.SENT

    customer_browser = Client()
    follow = customer_browser.get(link_path(email.body))
    assert follow["Location"] == f"/portal/t/{ticket.public_id}/"
    page = customer_browser.get(follow["Location"]).content.decode()
    assert "Please restart the printer." in page and "SECRET" not in page


def test_notes_and_customer_messages_send_nothing(agent, commits):
    customer = make_customer()
    ticket = make_ticket(customer)
    with commits():
        actions.add_internal_note(actor=Actor.of_agent(agent), ticket=ticket, body_text="note")
        actions.add_message(actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text="more")
    assert mail.outbox == []


def test_failed_send_marks_the_reply_failed(agent, commits, monkeypatch):
    ticket = make_ticket(make_customer())

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with commits():
        reply = actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Hello")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "smtp down" in reply.delivery_error


def test_requester_without_email_is_marked_failed(agent, commits):
    from helpline.customers import actions as customer_actions

    customer = customer_actions.create_customer(
        actor=Actor.system(), name="Caller", identities=[("phone", "+995 555 123 456")]
    )
    ticket = make_ticket(customer)
    with commits():
        reply = actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="We called you")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and mail.outbox == []


def test_a_channel_adapter_can_claim_delivery(agent, commits, monkeypatch):
    ticket = make_ticket(make_customer())
    monkeypatch.setitem(hooks._registry, OUTBOUND_CLAIM_HOOK, [lambda message: True])
    with commits():
        reply = actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Via the channel")
    reply.refresh_from_db()
    assert mail.outbox == [] and reply.delivery_status == DeliveryStatus.QUEUED
