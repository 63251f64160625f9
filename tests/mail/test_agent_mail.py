"""An agent answering a notification email (or a customer's mail they were copied on) writes an
internal note on the ticket: not a customer message, not sent to the customer, and the agent is
not made a customer nor copied on replies. Out-of-office answers are ignored."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from helpline.customers.models import Customer
from helpline.mail import actions, prefetch
from helpline.mail.models import AgentNotification, Mailbox, OutboundMail, Participant, RawMessage
from helpline.tickets.models import MessageKind, Ticket
from tests.factories import make_agent, make_team
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _desk() -> tuple[Mailbox, Ticket, object]:
    maria = make_agent(username="maria")
    team = make_team("Billing", members=[maria])
    box = Mailbox.objects.create(
        name="Billing", email_address="billing@desk.example", team=team, send_acknowledgement=False
    )
    outcome = actions.receive_message(
        mailbox=box,
        raw=raw_mail(
            "Invoice 42 is wrong", to="billing@desk.example", subject="Invoice", message_id="<c1@client.example>"
        ),
    )
    return box, Ticket.objects.get(number=outcome.ticket), maria


def _quoted(text: str) -> str:
    return f"{text}\n\nOn Mon, 3 Jun 2024 at 10:00, Billing <billing@desk.example> wrote:\n> Invoice 42 is wrong\n"


def test_an_agent_answering_a_notification_adds_their_internal_note() -> None:
    box, ticket, maria = _desk()
    note = AgentNotification.objects.get(agent=maria, ticket=ticket)  # "new ticket", mailed to maria
    django_mail.outbox.clear()
    answer = raw_mail(
        _quoted("I will check invoice 42 with accounting."),
        sender=f"Maria <{maria.email}>",
        to="billing@desk.example",
        subject=f"Re: [#{ticket.number}] New ticket: Invoice",
        message_id="<a1@desk-client.example>",
        headers={"In-Reply-To": note.message_id, "References": f"<ticket-x@desk.example> {note.message_id}"},
    )
    outcome = actions.receive_message(mailbox=box, raw=answer)
    assert (outcome.outcome, outcome.ticket) == ("added", ticket.number)
    message = ticket.messages.order_by("id").last()
    assert message.kind == MessageKind.NOTE and message.author_agent == maria
    assert message.body_text == "I will check invoice 42 with accounting."  # the quoted notification folded
    assert not Customer.objects.filter(identities__value=maria.email).exists()
    assert not Participant.objects.filter(ticket=ticket, email=maria.email).exists()
    assert not OutboundMail.objects.exists() and not [m for m in django_mail.outbox if m.to == ["ann@example.com"]]
    # the same mail again is a duplicate, not a second note
    assert actions.receive_message(mailbox=box, raw=answer).outcome == "duplicate"
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1


def test_an_agent_mail_threads_by_the_ticket_number_in_its_subject_alone() -> None:
    box, ticket, maria = _desk()
    outcome = actions.receive_message(
        mailbox=box,
        raw=raw_mail(
            "Refund approved.", sender=maria.email, subject=f"Re: [#{ticket.number}] Assigned to you: Invoice"
        ),
    )
    assert outcome.ticket == ticket.number
    assert ticket.messages.order_by("id").last().kind == MessageKind.NOTE


def test_an_agent_out_of_office_answer_is_ignored() -> None:
    box, ticket, maria = _desk()
    note = AgentNotification.objects.get(agent=maria, ticket=ticket)
    away = raw_mail(
        "I am away until Monday.",
        sender=maria.email,
        subject="Automatic reply: [#1] New ticket",
        headers={"In-Reply-To": note.message_id, "Auto-Submitted": "auto-replied"},
    )
    outcome = actions.receive_message(mailbox=box, raw=away)
    assert (outcome.outcome, outcome.reason) == ("ignored", "auto_reply")
    assert ticket.messages.count() == 1


def test_agent_mail_about_no_ticket_is_anyones_and_a_received_chunk_keeps_agent_notes() -> None:
    box, ticket, maria = _desk()
    # an agent writing to the desk about their own problem is a requester like anyone
    own = actions.receive_message(
        mailbox=box, raw=raw_mail("My laptop is broken.", sender=maria.email, subject="Laptop", message_id="<l1@x>")
    )
    assert own.outcome == "new_ticket"
    followed = actions.receive_message(
        mailbox=box,
        raw=raw_mail("It still is.", sender=maria.email, subject="Re: Laptop", headers={"In-Reply-To": "<l1@x>"}),
    )
    assert (followed.outcome, followed.ticket) == ("added", own.ticket)  # her own request: a customer's message
    assert Ticket.objects.get(number=own.ticket).messages.order_by("id").last().kind == MessageKind.INBOUND
    # in a fetched chunk with customers' mail, the agent's answer still becomes their note
    chunk = [
        raw_mail("Another customer question.", sender="bob@example.com", message_id="<b1@client.example>"),
        raw_mail("Done, refunded.", sender=maria.email, subject=f"Re: [#{ticket.number}] Invoice", message_id="<a2@x>"),
        raw_mail("And one more.", sender="carol@example.com", message_id="<c2@client.example>"),
    ]
    outcomes = [
        o for _key, results in prefetch.receive_chunks(mailbox=box, chunks=[(1, chunk)], source="test") for o in results
    ]
    assert [o.outcome for o in outcomes] == ["new_ticket", "added", "new_ticket"]
    last = ticket.messages.order_by("id").last()
    assert last.kind == MessageKind.NOTE and last.author_agent == maria and last.body_text == "Done, refunded."
    assert RawMessage.objects.get(message_id="<a2@x>").ticket_message == last
