from __future__ import annotations

import smtplib

import pytest

from helpline.mail.models import Mailbox, RawMessage
from helpline.mail.receiver import build_controller
from helpline.tickets.models import Ticket
from tests.mail.mails import raw_mail
from tests.mail.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_smtp_receiver_stores_and_processes_before_accepting() -> None:
    Mailbox.objects.create(name="Support", email_address="support@desk.example")
    port = free_port()
    controller = build_controller("127.0.0.1", port)
    controller.start()
    try:
        raw = raw_mail("Здравствуйте, принтер сломан.", charset="koi8-r", message_id="<smtp-1@c>")
        with smtplib.SMTP("127.0.0.1", port) as client:
            refused = client.sendmail("ann@example.com", ["support+anything@desk.example", "nobody@desk.example"], raw)
            assert list(refused) == ["nobody@desk.example"]
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("ann@example.com", ["stranger@elsewhere.example"], raw)
            client.sendmail("ann@example.com", ["support@desk.example"], raw)  # the MX delivers again
    finally:
        controller.stop()
    row = RawMessage.objects.get()
    assert row.source == "smtp" and row.status == "processed"
    ticket = Ticket.objects.get()
    assert ticket.messages.get().body_text == "Здравствуйте, принтер сломан."
