"""Bounces of everything we send: acknowledgements, agent notifications and agents' replies go out
through a real SMTP server (aiosmtpd) with their Message-ID recorded; their bounces (a DSN, and the
plain-text kinds that only quote the original's headers) come back through a real IMAP server
(Dovecot) and the chunked fetch, are matched to what they bounce, mark it failed and never open
or reopen a ticket. A failed acknowledgement shows on the ticket, a failed notification on the
admins' undelivered-mail page."""

from __future__ import annotations

import os
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.test import Client

from helpline.core.actors import Actor
from helpline.mail import actions, imap
from helpline.mail.models import Acknowledgement, AgentNotification, Mailbox, OutboundStatus, RawMessage, Security
from helpline.mail.parsing import parse
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Message, Status, Ticket
from tests.factories import PASSWORD, make_agent, make_team
from tests.mail.dovecot import DOVECOT
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink
from tests.mail.test_imap import deliver, dovecot, imap_mailbox  # noqa: F401  (dovecot: fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),  # loopback test server only
    pytest.mark.skipif(DOVECOT is None, reason="dovecot binary not installed (apt-get install dovecot-imapd)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the test Dovecot must start as root to drop to the mail user"),
]


def dsn(original: EmailMessage, diagnostic: str = "550 5.1.1 <ann@example.com>: user unknown") -> bytes:
    """A standard delivery status notification (RFC 3464) attaching the original's headers."""
    headers = "".join(f"{k}: {v}\r\n" for k, v in original.items() if k in ("From", "To", "Subject", "Message-ID"))
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\nTo: support@desk.example\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-{abs(hash(original['Message-ID']))}@mx>\r\n"
        "MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; ann@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}"
        "--B--\r\n"
    ).encode()


def qmail_bounce(original: EmailMessage, to: str = "support@desk.example") -> bytes:
    """qmail's plain-text "failure notice", the original quoted after a separator line."""
    return (
        f"Return-Path: <>\r\nFrom: MAILER-DAEMON@mail.example.org\r\nTo: {to}\r\nSubject: failure notice\r\n"
        f"Message-ID: <qmail-{abs(hash(original['Message-ID']))}@mail.example.org>\r\n\r\n"
        "Hi. This is the qmail-send program at mail.example.org.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        f"<{original['To']}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        "Return-Path: <support@desk.example>\r\nReceived: (qmail 1234 invoked from network); 6 Dec 2026\r\n"
        f"From: {original['From']}\r\nTo: {original['To']}\r\nSubject: {original['Subject']}\r\n"
        f"Message-ID: {original['Message-ID']}\r\n\r\nthe text\r\n"
    ).encode()


def exchange_bounce(original: EmailMessage) -> bytes:
    """A hosted mail server's "Undeliverable:" in plain multipart/mixed, the original attached as
    message/rfc822 (no multipart/report), the subject keeping the original's ticket number."""
    copy = EmailMessage()
    for name in ("From", "To", "Subject", "Message-ID"):
        copy[name] = original[name]
    copy.set_content("the text")
    bounce = EmailMessage()
    bounce["From"] = "postmaster@corp.example"
    bounce["To"] = "support@desk.example"
    bounce["Subject"] = f"Undeliverable: {original['Subject']}"
    bounce["Message-ID"] = f"<ndr-{abs(hash(original['Message-ID']))}@corp.example>"
    bounce.set_content("Delivery has failed to these recipients or groups:\n\nThe mailbox is full. 552 5.2.2\n")
    bounce.add_attachment(copy)
    return bounce.as_bytes()


def exim_bounce(original: EmailMessage) -> bytes:
    """Exim's "Mail delivery failed" with X-Failed-Recipients, the headers quoted in the text."""
    return (
        "From: Mail Delivery System <Mailer-Daemon@exim.example>\r\nTo: support@desk.example\r\n"
        f"Subject: Mail delivery failed: returning message to sender\r\nX-Failed-Recipients: {original['To']}\r\n"
        f"Message-ID: <exim-{abs(hash(original['Message-ID']))}@exim.example>\r\n\r\n"
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its recipients.\r\n\r\n"
        f"  {original['To']}\r\n    550 5.1.1 User unknown\r\n\r\n"
        "------ This is a copy of the message, including all the headers. ------\r\n\r\n"
        f"Message-Id: {original['Message-ID']}\r\nFrom: {original['From']}\r\nSubject: {original['Subject']}\r\n"
    ).encode()


class Relay(SmtpSink):
    """The sink as the mailbox's SMTP server: it takes the mailbox's (IMAP) sign-in."""

    def __init__(self) -> None:
        super().__init__()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=lambda *_args: AuthResult(success=True),
            auth_require_tls=False,
        )


def smtp_imap_mailbox(server: Any, sink: SmtpSink, **extra: Any) -> Mailbox:
    return imap_mailbox(
        server,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.PLAIN,
        sender_rate_limit=0,
        **extra,
    )


def sent_to(sink: SmtpSink, address: str) -> list[EmailMessage]:
    return [m for m in sink.handler.messages if address in str(m["To"])]


def test_bounces_of_acknowledgements_are_matched_and_shown_on_the_ticket(dovecot: Any) -> None:  # noqa: F811
    with Relay() as sink:
        box = smtp_imap_mailbox(dovecot, sink, team=make_team("Support"), send_acknowledgement=True)
        deliver(
            dovecot,
            raw_mail("My printer is broken.", sender="Ann <ann@example.com>", message_id="<a1@c>"),
            raw_mail("Where is my parcel?", sender="Bob <bob@example.org>", message_id="<b1@c>"),
            raw_mail("Invoice question", sender="Eka <eka@example.ge>", message_id="<e1@c>"),
        )
        assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"] * 3
        acks = {a.recipient: a for a in Acknowledgement.objects.all()}
        assert set(acks) == {"ann@example.com", "bob@example.org", "eka@example.ge"}
        assert {a.status for a in acks.values()} == {OutboundStatus.SENT}
        sent = {str(m["To"]): m for m in sink.handler.messages}
        for address, ack in acks.items():  # what went out carries the Message-ID recorded
            assert (
                sent[address]["Message-ID"] == ack.message_id and f"[#{ack.ticket.number}]" in sent[address]["Subject"]
            )
        tickets = Ticket.objects.count()
        ann_ticket = acks["ann@example.com"].ticket
        ticket_actions.update_ticket(actor=Actor.of_agent(make_agent()), ticket=ann_ticket, status=Status.CLOSED)

        # a DSN, a qmail failure notice and a hosted server's "Undeliverable: [#N] …", through IMAP
        deliver(
            dovecot,
            dsn(sent["ann@example.com"]),
            qmail_bounce(sent["bob@example.org"]),
            exchange_bounce(sent["eka@example.ge"]),
        )
        outcomes = imap.fetch_once(box)
        assert [(o.outcome, o.ticket) for o in outcomes] == [
            ("bounce", acks[a].ticket.number) for a in ("ann@example.com", "bob@example.org", "eka@example.ge")
        ]
        assert len(sink.handler.messages) == 3  # nothing acknowledged the bounces

    assert Ticket.objects.count() == tickets and Message.objects.count() == tickets  # nothing opened or added
    ann_ticket.refresh_from_db()
    assert ann_ticket.status == Status.CLOSED  # not reopened
    failed = {a.recipient: a for a in Acknowledgement.objects.all()}
    assert {a.status for a in failed.values()} == {OutboundStatus.FAILED}
    assert "user unknown" in failed["ann@example.com"].last_error
    assert "no mailbox here" in failed["bob@example.org"].last_error.lower()
    assert "mailbox is full" in failed["eka@example.ge"].last_error.lower()

    agent = make_agent(username="desk")
    client = Client()
    assert client.login(username=agent.username, password=PASSWORD)
    page = client.get(f"/tickets/{ann_ticket.number}/").content.decode()
    assert 'data-undelivered-acknowledgement="ann@example.com"' in page and "user unknown" in page
    # the admins see them with the notifications
    admin = Client()
    assert admin.login(username=make_agent("admin").username, password=PASSWORD)
    listing = admin.get("/admin/mailboxes/undelivered/").content.decode()
    assert all(address in listing for address in failed)


def test_bounces_of_agent_notifications_and_replies_mark_them_failed(dovecot: Any) -> None:  # noqa: F811
    maria = make_agent(username="maria")
    team = make_team("Billing", members=[maria])
    with Relay() as sink:
        box = smtp_imap_mailbox(dovecot, sink, team=team, send_acknowledgement=False)
        deliver(dovecot, raw_mail("Invoice 42 is wrong", subject="Invoice", message_id="<n1@c>"))
        [opened] = imap.fetch_once(box)
        ticket = Ticket.objects.get(number=opened.ticket)
        [note] = AgentNotification.objects.filter(agent=maria)
        assert note.status == OutboundStatus.SENT
        [notification] = sent_to(sink, maria.email)
        assert notification["Message-ID"] == note.message_id
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Fixed it.")
        [answer] = sent_to(sink, "ann@example.com")
        ticket_actions.update_ticket(actor=Actor.of_agent(make_agent()), ticket=ticket, status=Status.CLOSED)
        before = len(sink.handler.messages)

        # Exim bounces the notification (its subject "[#N] New ticket: …" is quoted only), qmail the reply
        deliver(dovecot, exim_bounce(notification), qmail_bounce(answer))
        outcomes = imap.fetch_once(box)
        assert [(o.outcome, o.ticket) for o in outcomes] == [("bounce", ticket.number)] * 2
        assert len(sink.handler.messages) == before

    note.refresh_from_db()
    assert note.status == OutboundStatus.FAILED and "User unknown" in note.last_error
    assert maria.email in note.last_error  # X-Failed-Recipients
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.messages.count() == 2 and Ticket.objects.count() == 1
    admin = Client()
    assert admin.login(username=make_agent("admin").username, password=PASSWORD)
    assert "(1)" in admin.get("/admin/mailboxes/").content.decode()  # the way to the list
    listing = admin.get("/admin/mailboxes/undelivered/").content.decode()
    assert maria.email in listing and f"#{ticket.number}" in listing and "User unknown" in listing


def test_a_bounce_of_something_we_never_sent_opens_nothing(mailbox: Mailbox) -> None:
    stranger = EmailMessage()
    stranger["From"], stranger["To"] = "support@desk.example", "x@example.com"
    stranger["Subject"], stranger["Message-ID"] = "[#77] Hello", "<not-ours@elsewhere.example>"
    for raw in (qmail_bounce(stranger), exim_bounce(stranger), dsn(stranger)):
        outcome = actions.receive_message(mailbox=mailbox, raw=raw, source="test")
        assert (outcome.outcome, outcome.reason) == ("ignored", "bounce_unmatched")
    assert Ticket.objects.count() == 0 and RawMessage.objects.filter(outcome="bounce_unmatched").count() == 3


@pytest.mark.parametrize(
    ("sender", "subject", "headers", "body"),
    [
        # a person at the postmaster address writing about something else
        ("postmaster@corp.example", "Our new office", {}, "Message-ID: <x@y> is what I mean"),
        # an out-of-office sent with the null sender
        ("ann@example.com", "Out of office: [#12] Invoice", {"Return-Path": "<>"}, "Away.\nMessage-ID: <a@b>"),
        # a customer writing "undelivered" in a subject
        ("ann@example.com", "My parcel was not delivered", {}, "Where is it?"),
    ],
)
def test_mail_that_only_looks_like_a_bounce_is_not_one(
    sender: str, subject: str, headers: dict[str, str], body: str
) -> None:
    assert parse(raw_mail(body, sender=sender, subject=subject, headers=headers)).bounce is None
