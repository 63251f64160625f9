"""Several mailboxes, each bound to a team and a sender address, set up in the admin UI: mail to
each opens tickets in its team, replies go out from its address and carry its signature, and
the passwords are encrypted at rest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket
from tests.factories import PASSWORD, make_agent, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)


def mailbox_form(name: str, address: str, team_id: int, smtp_port: int, password: str) -> dict[str, object]:
    return {
        "name": name,
        "email_address": address,
        "team": team_id,
        "active": "on",
        "imap_host": "imap.desk.example",
        "imap_port": 993,
        "imap_security": "ssl",
        "imap_folder": "INBOX",
        "processed_action": "move",
        "processed_folder": "Processed",
        "use_idle": "on",
        "poll_interval": 60,
        "auth_method": "password",
        "username": "",  # the test SMTP sink takes mail without AUTH
        "password": password,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_security": "plain",
        "signature": "{{ agent.username }} · {{ team.name }}",
        "closed_ticket_policy": "reopen",
        "max_message_bytes": 5_000_000,
        "sender_rate_limit": 60,
    }


def test_two_mailboxes_each_with_its_team_sender_and_signature() -> None:
    sales, support = make_team("Sales"), make_team("Support")
    admin = make_agent(role="admin")
    client = Client()
    assert client.login(username=admin.username, password=PASSWORD)
    with SmtpSink() as sink:
        for name, address, team, secret in (
            ("Sales", "sales@desk.example", sales, "sales-imap-secret"),
            ("Support", "help@support.example", support, "support-imap-secret"),
        ):
            response = client.post("/admin/mailboxes/new/", mailbox_form(name, address, team.pk, sink.port, secret))
            assert response.status_code == 302, response.content.decode()[:1000]
        listing = client.get("/admin/mailboxes/").content.decode()
        assert "sales@desk.example" in listing and "help@support.example" in listing
        with connection.cursor() as cursor:
            cursor.execute("SELECT password FROM mail_mailbox")
            stored = [row[0] for row in cursor.fetchall()]
        assert len(stored) == 2 and not any("imap-secret" in value for value in stored)  # encrypted at rest
        assert {b.password for b in Mailbox.objects.all()} == {"sales-imap-secret", "support-imap-secret"}

        agent = make_agent(username="lena")
        for box in Mailbox.objects.all():
            Mailbox.objects.filter(pk=box.pk).update(send_acknowledgement=False)
            box.refresh_from_db()
            outcome = actions.receive_message(
                mailbox=box, raw=raw_mail(f"Question for {box.name}", to=box.email_address)
            )
            ticket = Ticket.objects.get(number=outcome.ticket)
            assert ticket.team == box.team
            ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text=f"Answer from {box.name}")
            sent = next(
                m for m in sink.handler.messages if f"Answer from {box.name}" in m.get_body(("plain",)).get_content()
            )
            assert sent["From"].addresses[0].addr_spec == box.email_address
            assert sent["From"].addresses[0].display_name == box.team.name
            assert sent["Reply-To"].addresses[0].addr_spec.endswith("@" + box.email_address.split("@")[1])
            assert sent["Message-ID"].endswith("@" + box.email_address.split("@")[1] + ">")
            assert f"lena · {box.team.name}" in sent.get_body(("plain",)).get_content()
