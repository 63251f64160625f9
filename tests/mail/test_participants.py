"""People besides the requester: a colleague in copy who answers, or someone new writing into the
thread, is the author of their message; agents' replies copy everyone in the conversation."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.core.actors import Actor
from helpline.customers.models import Customer
from helpline.mail import actions
from helpline.mail.models import Participant
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Ticket
from tests.factories import PASSWORD, make_agent
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink, sink_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_colleague_in_copy_answers_as_themselves_and_replies_copy_everyone() -> None:
    with SmtpSink() as sink:
        box = sink_mailbox(sink)
        first = raw_mail(
            "Our office printer is broken.",
            sender="Ann Customer <ann@example.com>",
            to="Support <support@desk.example>",
            message_id="<p1@example.com>",
            headers={"Cc": "Bob Colleague <Bob@Example.com>, support@desk.example"},
        )
        ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=first).ticket)
        assert list(Participant.objects.filter(ticket=ticket).values_list("email", flat=True)) == ["bob@example.com"]

        answer = raw_mail(
            "It is the second floor one, model X200.",
            sender="Bob Colleague <bob@example.com>",
            message_id="<p2@example.com>",
            headers={"In-Reply-To": "<p1@example.com>", "Cc": "ann@example.com"},
        )
        assert actions.receive_message(mailbox=box, raw=answer).outcome == "added"
        message = ticket.messages.order_by("id").last()
        bob = Customer.objects.get(identities__value="bob@example.com")
        assert message.kind == MessageKind.INBOUND and message.author_customer == bob
        assert message.author_name == "Bob Colleague"
        ticket.refresh_from_db()
        assert ticket.requester.email == "ann@example.com"  # the requester stays
        assert Participant.objects.get(ticket=ticket, email="bob@example.com").customer in (None, bob)

        newcomer = raw_mail(
            "I am the office manager, please send the invoice to me.",
            sender="Carol Manager <carol@example.com>",
            message_id="<p3@example.com>",
            headers={"References": "<p1@example.com> <p2@example.com>"},
        )
        actions.receive_message(mailbox=box, raw=newcomer)
        carol_message = ticket.messages.order_by("id").last()
        assert carol_message.author_customer.email == "carol@example.com"

        agent = make_agent(username="sam")
        client = Client()
        assert client.login(username=agent.username, password=PASSWORD)
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
        assert "Bob Colleague" in page and "Carol Manager" in page

        ticket_actions.add_message(actor=Actor.of_agent(agent), ticket=ticket, kind="reply", body_text="On its way.")
        reply = next(m for m in sink.handler.messages if m["Subject"].startswith("Re: [#"))
        assert reply["To"] == "ann@example.com"
        assert {a.addr_spec for a in reply["Cc"].addresses} == {"bob@example.com", "carol@example.com"}
        envelope = next(e for e in sink.handler.envelopes if b"On its way." in e.content)
        assert sorted(envelope.rcpt_tos) == ["ann@example.com", "bob@example.com", "carol@example.com"]
