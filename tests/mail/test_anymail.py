"""django-anymail as the outbound path: replies from a mailbox without SMTP settings go to an email
service provider (here Postmark's API, served locally) with the same threading headers, and the
provider's delivery webhooks set the reply's delivery status."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail as django_mail
from django.test import Client, override_settings

from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import Mailbox, OutboundMail
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Ticket
from tests.factories import make_agent, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import FakePostmark

pytest.importorskip("anymail")
pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "hooks:s3cret"


def provider_settings(api_url: str) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        MAIL_REPLIES_VIA_EMAIL_BACKEND=True,
        ANYMAIL={"POSTMARK_SERVER_TOKEN": "server-token", "POSTMARK_API_URL": api_url, "WEBHOOK_SECRET": SECRET},
    )


def webhook(payload: dict) -> int:
    auth = base64.b64encode(SECRET.encode()).decode()
    response = Client().post(
        "/anymail/postmark/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    return response.status_code


def test_reply_through_the_provider_and_its_delivery_webhooks() -> None:
    with FakePostmark() as postmark, provider_settings(postmark.url):
        box = Mailbox.objects.create(
            name="Support", email_address="support@desk.example", team=make_team("Support"), send_acknowledgement=False
        )
        outcome = actions.receive_message(
            mailbox=box,
            raw=raw_mail("Where is my parcel?", subject="Parcel", message_id="<c-1@example.com>"),
        )
        ticket = Ticket.objects.get(number=outcome.ticket)
        django_mail.outbox.clear()
        agent = make_agent(username="mia")
        reply = ticket_actions.add_message(
            actor=Actor.of_agent(agent), ticket=ticket, kind="reply", body_text="It left the depot today."
        )
        [sent] = [p for p in postmark.sent if p.get("TextBody", "").startswith("It left the depot today.")]
        assert postmark.tokens[-1] == "server-token"
        assert sent["To"] == "ann@example.com" and sent["Subject"] == f"Re: [#{ticket.number}] Parcel"
        headers = {h["Name"]: h["Value"] for h in sent.get("Headers", [])}
        assert headers["In-Reply-To"] == "<c-1@example.com>" and headers["X-Helpline-Ticket"] == str(ticket.number)
        assert sent["ReplyTo"].startswith(f"support+{ticket.number}-")
        outbound = OutboundMail.objects.get(ticket_message=reply)
        assert outbound.provider_message_id.startswith("pm-") and outbound.status == "sent"
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT and reply.external_id == outbound.message_id

        delivered = {
            "RecordType": "Delivery",
            "MessageID": outbound.provider_message_id,
            "Recipient": "ann@example.com",
            "DeliveredAt": "2026-12-02T01:00:05Z",
            "Details": "smtp;250 2.0.0 OK",
            "Tag": "",
            "Metadata": {},
        }
        assert webhook(delivered) == 200
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.DELIVERED

        bounced = {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "ID": 42,
            "MessageID": outbound.provider_message_id,
            "Email": "ann@example.com",
            "BouncedAt": "2026-12-02T01:01:00Z",
            "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Tag": "",
            "Metadata": {},
        }
        assert webhook(bounced) == 200
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.FAILED and "unable to deliver" in reply.delivery_error
        # a webhook without the shared secret is refused
        assert Client().post("/anymail/postmark/tracking/", data="{}", content_type="application/json").status_code in (
            400,
            401,
            403,
        )
