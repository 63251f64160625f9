from __future__ import annotations

import smtplib
import time

import pytest
from django.core import mail as django_mail

from helpline.mail.models import Mailbox, RawMessage
from helpline.mail.receiver import Receiver
from helpline.mail.store import read_raw
from helpline.tickets.models import Ticket
from tests.mail.mails import raw_mail
from tests.mail.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def wait_idle(receiver: Receiver, timeout: float = 30) -> None:
    """Let the receiver process what it stored (the shared in-memory SQLite database of the tests
    answers "table is locked" to two writers at once instead of making one wait)."""
    deadline = time.monotonic() + timeout
    while not receiver.processing.idle():
        assert time.monotonic() < deadline, "the receiver did not process its queue"
        time.sleep(0.02)


def test_smtp_receiver_stores_before_accepting_then_processes() -> None:
    Mailbox.objects.create(name="Support", email_address="support@desk.example")
    port = free_port()
    receiver = Receiver("127.0.0.1", port).start()
    try:
        raw = raw_mail("Здравствуйте, принтер сломан.", charset="koi8-r", message_id="<smtp-1@c>")
        with smtplib.SMTP("127.0.0.1", port) as client:
            refused = client.sendmail("ann@example.com", ["support+anything@desk.example", "nobody@desk.example"], raw)
            assert list(refused) == ["nobody@desk.example"]
            wait_idle(receiver)
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("ann@example.com", ["stranger@elsewhere.example"], raw)
            client.sendmail("ann@example.com", ["support@desk.example"], raw)  # the MX delivers again
    finally:
        receiver.stop()
    row = RawMessage.objects.get()
    assert row.source == "smtp" and row.status == "processed"
    ticket = Ticket.objects.get()
    assert ticket.messages.get().body_text == "Здравствуйте, принтер сломан."


def test_mail_from_the_null_sender_is_recognised_as_automatic() -> None:
    """A bounce or auto-reply over SMTP comes with `MAIL FROM:<>`; the receiver records it as
    `Return-Path: <>`, so the message is kept and never acknowledged."""
    Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=True)
    port = free_port()
    receiver = Receiver("127.0.0.1", port).start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("", ["support@desk.example"], raw_mail("I am away.", message_id="<null-1@c>"))
            wait_idle(receiver)
            client.sendmail("ann@example.com", ["support@desk.example"], raw_mail("Help!", message_id="<ann-1@c>"))
    finally:
        receiver.stop()  # what it stored is processed before it stops
    away = RawMessage.objects.get(message_id="<null-1@c>")
    assert read_raw(away.path).startswith(b"Return-Path: <>\r\n")
    assert away.ticket_message.meta["email"]["auto"] == "null-sender"
    help_ = RawMessage.objects.get(message_id="<ann-1@c>")
    assert read_raw(help_.path).startswith(b"Return-Path: <ann@example.com>\r\n")
    assert help_.ticket_message.meta["email"]["auto"] == ""
    assert [m.to for m in django_mail.outbox] == [["ann@example.com"]]  # only the person is acknowledged
