"""An agent answering a notification email (or a customer's mail they were copied on) writes an
internal note on the ticket: not a customer message, not sent to the customer, and the agent is
not made a customer nor copied on replies. Out-of-office answers are ignored."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from helpline.customers.models import Customer
from helpline.mail import actions, prefetch
from helpline.mail.models import AgentNotification, Mailbox, OutboundMail, Participant, RawMessage
from helpline.mail.selectors import mailbox_for_address
from helpline.mail.tokens import forward_address
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


def test_a_forged_agent_sender_writes_no_note() -> None:
    """The ticket's number, its customer thread and the customer's reply token are known to others:
    a mail from the agent's address that refers to them alone is not taken for the agent's note."""
    box, ticket, maria = _desk()
    for n, headers in enumerate(({}, {"In-Reply-To": "<c1@client.example>"})):
        forged = raw_mail(
            "Refund approved, send it to account 123.",
            sender=maria.email,
            subject=f"Re: [#{ticket.number}] Assigned to you: Invoice",
            message_id=f"<forged-{n}@x>",
            headers=headers,
        )
        actions.receive_message(mailbox=box, raw=forged)
    assert not ticket.messages.filter(kind=MessageKind.NOTE).exists()
    # another agent's notification is not hers either
    other = make_agent(username="other", teams=[box.team])
    note = AgentNotification.objects.get(agent=maria, ticket=ticket)
    reply = raw_mail("Mine now.", sender=other.email, headers={"In-Reply-To": note.message_id})
    actions.receive_message(mailbox=box, raw=reply)
    assert not ticket.messages.filter(kind=MessageKind.NOTE).exists()


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
        raw_mail(
            "Done, refunded.",
            sender=maria.email,
            subject=f"Re: [#{ticket.number}] Invoice",
            message_id="<a2@x>",
            headers={"In-Reply-To": AgentNotification.objects.get(agent=maria, ticket=ticket).message_id},
        ),
        raw_mail("And one more.", sender="carol@example.com", message_id="<c2@client.example>"),
    ]
    outcomes = [
        o for _key, results in prefetch.receive_chunks(mailbox=box, chunks=[(1, chunk)], source="test") for o in results
    ]
    assert [o.outcome for o in outcomes] == ["new_ticket", "added", "new_ticket"]
    last = ticket.messages.order_by("id").last()
    assert last.kind == MessageKind.NOTE and last.author_agent == maria and last.body_text == "Done, refunded."
    assert RawMessage.objects.get(message_id="<a2@x>").ticket_message == last


GMAIL_FORWARD = """Please look at this one, she is a VIP.

---------- Forwarded message ---------
From: Ann Customer <Ann@Example.com>
Date: Mon, 3 Jun 2024 at 10:00
Subject: Printer on fire
To: Maria <{agent}>


My printer is on fire, please help!
"""

OUTLOOK_FORWARD = """

________________________________
From: Нино Беридзе [mailto:nino@example.ge]
Sent: Monday, June 3, 2024 10:00 AM
To: Maria
Subject: Счёт

Где мой счёт за июнь?
"""


def test_a_customer_mail_an_agent_forwards_opens_a_ticket_for_that_customer() -> None:
    box, _ticket, maria = _desk()
    django_mail.outbox.clear()
    outcome = actions.receive_message(
        mailbox=box,
        raw=raw_mail(
            GMAIL_FORWARD.format(agent=maria.email),
            sender=maria.email,
            to=forward_address(box.email_address, maria.pk),
            subject="Fwd: Printer on fire",
        ),
    )
    assert outcome.outcome == "new_ticket"
    ticket = Ticket.objects.get(number=outcome.ticket)
    assert ticket.requester.email == "ann@example.com" and ticket.requester.name == "Ann Customer"
    assert ticket.subject == "Printer on fire" and ticket.team == box.team
    first, note = ticket.messages.order_by("id")
    assert first.kind == MessageKind.INBOUND and first.author_customer == ticket.requester
    assert first.body_text == "My printer is on fire, please help!"
    assert first.meta["email"]["forwarded_by"] == maria.pk
    assert note.kind == MessageKind.NOTE and note.author_agent == maria
    assert note.body_text == "Please look at this one, she is a VIP."
    assert not Customer.objects.filter(identities__value=maria.email).exists()
    assert not [m for m in django_mail.outbox if m.to == ["ann@example.com"]]  # no acknowledgement

    outlook = actions.receive_message(
        mailbox=box,
        raw=raw_mail(
            OUTLOOK_FORWARD, sender=maria.email, to=forward_address(box.email_address, maria.pk), subject="FW: x"
        ),
    )
    ticket = Ticket.objects.get(number=outlook.ticket)
    assert (ticket.requester.email, ticket.requester.name, ticket.subject) == (
        "nino@example.ge",
        "Нино Беридзе",
        "Счёт",
    )
    assert list(ticket.messages.values_list("kind", flat=True)) == [MessageKind.INBOUND]  # no words of her own


def test_a_mail_forwarded_as_an_attachment_opens_a_ticket_for_its_sender() -> None:
    from email.message import EmailMessage

    box, _ticket, maria = _desk()
    inner = raw_mail("Wo ist meine Bestellung?", sender="Hans <hans@example.de>", subject="Bestellung 77")
    outer = EmailMessage()
    own = forward_address(box.email_address, maria.pk)
    outer["From"], outer["To"], outer["Subject"] = maria.email, own, "Fwd: Bestellung 77"
    outer["Message-ID"] = "<fa1@desk-client.example>"
    outer.set_content("Customer from Germany.")
    outer.add_attachment(inner, maintype="message", subtype="rfc822", filename="forwarded.eml")
    outcome = actions.receive_message(mailbox=box, raw=outer.as_bytes())  # the mail attached base64-encoded
    ticket = Ticket.objects.get(number=outcome.ticket)
    assert (ticket.requester.email, ticket.subject) == ("hans@example.de", "Bestellung 77")
    assert ticket.messages.order_by("id").first().body_text == "Wo ist meine Bestellung?"
    assert ticket.messages.order_by("id").last().body_text == "Customer from Germany."

    from email import message_from_bytes, policy

    again = EmailMessage()  # as mail clients attach it: message/rfc822, not encoded
    again["From"], again["To"], again["Subject"] = maria.email, own, "Fwd: Frage"
    again.set_content("Another one.")
    again.add_attachment(
        message_from_bytes(raw_mail("Eine Frage.", sender="eva@example.de", subject="Frage"), policy=policy.default)
    )
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=again.as_bytes()).ticket)
    assert (ticket.requester.email, ticket.subject) == ("eva@example.de", "Frage")


def test_forwards_need_the_agents_own_forward_address() -> None:
    box, _ticket, maria = _desk()
    bob = make_agent(username="bob")
    own = forward_address(box.email_address, maria.pk)
    # a colleague's mail forwarded is the agent's own request
    forward = f"FYI\n\n---------- Forwarded message ---------\nFrom: Bob <{bob.email}>\nSubject: Lunch\n\nPizza?\n"
    outcome = actions.receive_message(mailbox=box, raw=raw_mail(forward, sender=maria.email, to=own, subject="Fwd: L"))
    assert Ticket.objects.get(number=outcome.ticket).requester.email == maria.email
    # a customer's mail forwarded to the mailbox's own address, or to another agent's forward address
    # (a forged sender can write either), opens nothing for that customer
    text = GMAIL_FORWARD.format(agent=maria.email)
    for to in (box.email_address, forward_address(box.email_address, bob.pk), own.replace("-", "-0", 1)):
        outcome = actions.receive_message(mailbox=box, raw=raw_mail(text, sender=maria.email, to=to, subject="Fwd: x"))
        assert Ticket.objects.get(number=outcome.ticket).requester.email == maria.email, to
    assert Ticket.objects.filter(requester__identities__value="ann@example.com").count() == 1  # _desk's own
    assert mailbox_for_address(own) == box  # the forward address is the mailbox's


def test_the_profile_page_shows_the_forward_addresses() -> None:
    from django.test import Client

    from tests.factories import PASSWORD

    box, _ticket, maria = _desk()
    client = Client()
    assert client.login(username=maria.username, password=PASSWORD)
    page = client.get("/accounts/profile/").content.decode()
    assert forward_address(box.email_address, maria.pk) in page and "notification email" in page
