from __future__ import annotations

import pytest
from django.core import mail as django_mail

from helpline.accounts import actions as account_actions
from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.agent_notifications import thread_root
from helpline.mail.models import AgentNotification, Mailbox, OutboundStatus, Security
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket
from tests.factories import make_agent, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)


def notes_to(agent_email: str) -> list:
    return [m for m in django_mail.outbox if m.to == [agent_email]]


def team_mailbox(**extra: object) -> tuple[Mailbox, list]:
    maria, ketevan = make_agent(username="maria"), make_agent(username="ketevan", language="ka")
    team = make_team("Billing", members=[maria, ketevan])
    box = Mailbox.objects.create(
        name="Billing", email_address="billing@desk.example", team=team, send_acknowledgement=False, **extra
    )
    return box, [maria, ketevan]


def test_new_ticket_assignment_reply_and_note_notify_the_right_agents() -> None:
    box, (maria, ketevan) = team_mailbox()
    django_mail.outbox.clear()
    outcome = actions.receive_message(
        mailbox=box, raw=raw_mail("Invoice 42 is wrong", subject="Invoice", message_id="<n1@client.example>")
    )
    ticket = Ticket.objects.get(number=outcome.ticket)
    # new ticket: both team members, each in their own language, with a link to the ticket
    [to_maria] = notes_to(maria.email)
    [to_ketevan] = notes_to(ketevan.email)
    assert to_maria.subject == f"[#{ticket.number}] New ticket: Invoice"
    assert f"/tickets/{ticket.number}/" in to_maria.body and "Invoice 42 is wrong" in to_maria.body
    assert to_ketevan.subject != to_maria.subject and "Invoice" in to_ketevan.subject  # Georgian
    assert to_maria.extra_headers["References"] == thread_root(ticket)
    assert to_maria.extra_headers["Auto-Submitted"] == "auto-generated"

    # maria assigns the ticket to herself: nobody is told about her own action
    django_mail.outbox.clear()
    ticket_actions.update_ticket(actor=Actor.of_agent(maria), ticket=ticket, assignee=maria)
    assert django_mail.outbox == []
    # ketevan reassigns it to maria: maria is told
    ticket_actions.update_ticket(actor=Actor.of_agent(ketevan), ticket=ticket, assignee=ketevan)
    ticket_actions.update_ticket(actor=Actor.of_agent(ketevan), ticket=ticket, assignee=maria)
    [assigned] = notes_to(maria.email)
    assert assigned.subject == f"[#{ticket.number}] Assigned to you: Invoice"
    assert notes_to(ketevan.email) == []

    # the customer answers: the assignee hears about it, in the same thread
    django_mail.outbox.clear()
    actions.receive_message(
        mailbox=box,
        raw=raw_mail("Still wrong!", subject="Re: Invoice", headers={"In-Reply-To": "<n1@client.example>"}),
    )
    [replied] = notes_to(maria.email)
    assert replied.subject.startswith(f"[#{ticket.number}] ") and "replied" in replied.subject
    assert "Still wrong!" in replied.body
    assert replied.extra_headers["In-Reply-To"] == thread_root(ticket)
    assert replied.extra_headers["Message-ID"] != to_maria.extra_headers["Message-ID"]

    # internal notes are off by default; on once maria asks for them
    django_mail.outbox.clear()
    ticket_actions.add_internal_note(actor=Actor.of_agent(ketevan), ticket=ticket, body_text="Check the VAT.")
    assert django_mail.outbox == []
    account_actions.set_notification_preferences(actor=maria, agent=maria, internal_note=True)
    ticket_actions.add_internal_note(actor=Actor.of_agent(ketevan), ticket=ticket, body_text="Really check it.")
    [note] = notes_to(maria.email)
    assert "Internal note" in note.subject and "Really check it." in note.body
    # her own note does not come back to her
    django_mail.outbox.clear()
    ticket_actions.add_internal_note(actor=Actor.of_agent(maria), ticket=ticket, body_text="Done.")
    assert django_mail.outbox == []
    assert set(AgentNotification.objects.values_list("status", flat=True)) == {OutboundStatus.SENT}


def test_preferences_turn_kinds_off() -> None:
    box, (maria, ketevan) = team_mailbox()
    account_actions.set_notification_preferences(actor=maria, agent=maria, new_ticket=False)
    django_mail.outbox.clear()
    actions.receive_message(mailbox=box, raw=raw_mail("Hello"))
    assert notes_to(maria.email) == [] and len(notes_to(ketevan.email)) == 1


def test_notifications_go_out_through_the_mailbox_smtp_with_retries() -> None:
    with SmtpSink() as sink:
        box, (maria, _ketevan) = team_mailbox(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security=Security.PLAIN)
        sink.handler.fail_next = 2  # two temporary refusals: retried (at once on the test backend)
        actions.receive_message(mailbox=box, raw=raw_mail("Hello", subject="Login"))
        delivered = {tuple(e.rcpt_tos) for e in sink.handler.envelopes}
        assert (maria.email,) in delivered
        sent = next(m for m in sink.handler.messages if m["To"] == maria.email)
        assert sent["From"] == "Billing <billing@desk.example>" and sent["X-Helpline-Loop"] == "billing@desk.example"
        note = AgentNotification.objects.get(agent=maria)
        assert note.status == OutboundStatus.SENT and note.attempts >= 1
        assert AgentNotification.objects.filter(attempts__gt=1).exists()
        # a notification that comes back to the mailbox is recognised as our own loop
        outcome = actions.receive_message(mailbox=box, raw=sent.as_bytes())
        assert outcome.outcome == "ignored"


def test_permanent_refusal_fails_without_retrying() -> None:
    with SmtpSink() as sink:
        box, (maria, _k) = team_mailbox(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security=Security.PLAIN)
        sink.handler.reject_permanently = True
        actions.receive_message(mailbox=box, raw=raw_mail("Hello"))
        note = AgentNotification.objects.get(agent=maria)
        assert note.status == OutboundStatus.FAILED and note.attempts == 1 and "550" in note.last_error


def test_profile_page_shows_and_saves_the_preferences(client: object) -> None:
    agent = make_agent(username="nino")
    client.force_login(agent)  # type: ignore[attr-defined]
    page = client.get("/accounts/profile/")  # type: ignore[attr-defined]
    assert page.status_code == 200 and b'name="customer_replied"' in page.content
    response = client.post("/accounts/notifications/", {"new_ticket": "on", "assigned": "on"})  # type: ignore[attr-defined]
    assert response.status_code == 302
    prefs = agent.notification_preferences
    prefs.refresh_from_db()
    assert (prefs.new_ticket, prefs.assigned, prefs.customer_replied, prefs.internal_note) == (True, True, False, False)
    page = client.get("/accounts/profile/")  # type: ignore[attr-defined]
    assert b'name="customer_replied" id="id_customer_replied"' in page.content
    assert b'name="assigned" id="id_assigned" checked' in page.content
