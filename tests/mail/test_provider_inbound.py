"""Inbound mail from email service providers through django-anymail's inbound webhooks: the
providers' documented payloads (Postmark's JSON with and without RawEmail, Mailgun's forward()
route with raw MIME and fully parsed) are stored first and go through the same receive path as
IMAP mail: one ticket however often the provider retries, quarantine when nobody is addressed,
nothing stored when the secret or the signature is wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.mail.parsing import parse
from helpline.mail.store import read_raw
from helpline.tickets.models import Ticket
from tests.factories import make_agent, make_team

pytest.importorskip("anymail")
pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "hooks:s3cret"
SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
PROVIDERS = override_settings(ANYMAIL={"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY})


def auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(payload: dict[str, Any], secret: str = SECRET) -> int:
    return (
        Client()
        .post("/anymail/postmark/inbound/", json.dumps(payload), content_type="application/json", **auth(secret))
        .status_code
    )


def mailgun(fields: dict[str, Any], path: str = "inbound_mime", key: str = SIGNING_KEY) -> int:
    timestamp, token = str(int(time.time())), hashlib.sha256(json.dumps(sorted(fields)).encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {**fields, "timestamp": timestamp, "token": token, "signature": signature}
    return Client().post(f"/anymail/mailgun/{path}/", data, **auth()).status_code


def postmark_sample(**changes: Any) -> dict[str, Any]:
    """Postmark's documented inbound webhook payload (developer docs, "Inbound webhook"), with
    our addresses."""
    payload = {
        "FromName": "Ann Customer",
        "MessageStream": "inbound",
        "From": "ann@example.com",
        "FromFull": {"Email": "ann@example.com", "Name": "Ann Customer", "MailboxHash": ""},
        "To": '"Support" <support@desk.example>',
        "ToFull": [{"Email": "support@desk.example", "Name": "Support", "MailboxHash": ""}],
        "Cc": '"Bob Colleague" <bob@example.com>',
        "CcFull": [{"Email": "bob@example.com", "Name": "Bob Colleague", "MailboxHash": ""}],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": "support@desk.example",
        "Subject": "Test subject",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Fri, 1 Aug 2014 16:45:32 -04:00",
        "TextBody": "This is a test text body.",
        "HtmlBody": "<html><body><p>This is a test html body.</p></body></html>",
        "StrippedTextReply": "This is the reply text",
        "Tag": "TestTag",
        "Headers": [
            {"Name": "Return-Path", "Value": "<ann@example.com>"},
            {"Name": "X-Header-Test", "Value": ""},
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
            {"Name": "X-Spam-Tests", "Value": "DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,SPF_PASS"},
        ],
        "Attachments": [
            {
                "Name": "test.txt",
                "Content": "VGhpcyBpcyBhdHRhY2htZW50IGNvbnRlbnRzLCBiYXNlLTY0IGVuY29kZWQu",
                "ContentType": "text/plain",
                "ContentLength": 45,
            }
        ],
    }
    payload.update(changes)
    return payload


RAW_GEORGIAN = (
    "From: Nino <nino@example.ge>\r\n"
    "To: support@desk.example\r\n"
    "Subject: =?UTF-8?B?4YOe4YOg4YOY4YOc4YOi4YOU4YOg4YOY?=\r\n"
    "Message-ID: <raw-ka-1@example.ge>\r\n"
    "Date: Sat, 05 Dec 2026 10:00:00 +0400\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: text/plain; charset="utf-8"\r\n'
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "გამარჯობა, პრინტერი არ მუშაობს.\r\n"
)


@pytest.fixture
def box() -> Mailbox:
    return Mailbox.objects.create(
        name="Support", email_address="support@desk.example", team=make_team("Support"), send_acknowledgement=False
    )


@PROVIDERS
def test_postmark_parsed_payload_opens_one_ticket_however_often_it_is_posted(box: Mailbox) -> None:
    payload = postmark_sample()
    assert postmark(payload) == 200
    assert postmark(payload) == 200  # Postmark retries when it did not hear 200 in time
    row = RawMessage.objects.get()
    assert row.source == "postmark" and row.status == RawStatus.PROCESSED and row.mailbox == box
    assert row.message_id == "<73e6d360-66eb-11e1-8e72-a8904824019b@inbound.helpline.invalid>"
    stored = parse(read_raw(row.path))  # the message anymail built from Postmark's fields, as stored
    assert stored.text == "This is a test text body." and stored.cc == ["bob@example.com"]
    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    assert ticket.subject == "Test subject" and ticket.requester.email == "ann@example.com"
    assert message.body_text == "This is a test text body."
    assert [a.filename for a in message.attachments.all()] == ["test.txt"]
    assert message.meta["email"]["cc"] == ["bob@example.com"]


@PROVIDERS
def test_postmark_raw_email_is_stored_byte_for_byte_and_threads_replies(box: Mailbox) -> None:
    assert postmark(postmark_sample(RawEmail=RAW_GEORGIAN, OriginalRecipient="support+x@desk.example")) == 200
    row = RawMessage.objects.get()
    assert read_raw(row.path) == RAW_GEORGIAN.encode()
    ticket = Ticket.objects.get()
    assert ticket.subject == "პრინტერი" and ticket.messages.get().body_text == "გამარჯობა, პრინტერი არ მუშაობს."
    reply = RAW_GEORGIAN.replace("<raw-ka-1@", "<raw-ka-2@").replace(
        "MIME-Version", "In-Reply-To: <raw-ka-1@example.ge>\r\nMIME-Version"
    )
    assert postmark(postmark_sample(RawEmail=reply.replace("არ მუშაობს", "კვლავ არ მუშაობს"))) == 200
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 2


@PROVIDERS
def test_mailgun_raw_mime_and_fully_parsed_forwards(box: Mailbox) -> None:
    fields = {
        "recipient": "support@desk.example",
        "sender": "nino@example.ge",
        "from": "Nino <nino@example.ge>",
        "subject": "პრინტერი",
        "body-mime": RAW_GEORGIAN,
    }
    assert mailgun(fields) == 200
    assert mailgun(fields) == 200  # the same message again
    row = RawMessage.objects.get()
    assert row.source == "mailgun" and read_raw(row.path) == RAW_GEORGIAN.encode()
    assert Ticket.objects.get().messages.get().body_text == "გამარჯობა, პრინტერი არ მუშაობს."

    parsed = {
        "recipient": "support@desk.example",
        "sender": "bob@example.com",
        "from": "Bob <bob@example.com>",
        "subject": "Invoice",
        "body-plain": "Please find the invoice attached.\n\n-- \nBob",
        "stripped-text": "Please find the invoice attached.",
        "body-html": "<p>Please find the invoice attached.</p>",
        "message-headers": json.dumps(
            [
                ["From", "Bob <bob@example.com>"],
                ["To", "support@desk.example"],
                ["Subject", "Invoice"],
                ["Message-Id", "<mg-parsed-1@example.com>"],
                ["Date", "Sat, 05 Dec 2026 10:00:00 +0000"],
            ]
        ),
        "attachment-count": "1",
        "attachment-1": SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    }
    assert mailgun(parsed, path="inbound") == 200
    row = RawMessage.objects.get(message_id="<mg-parsed-1@example.com>")
    ticket = row.ticket
    assert ticket is not None and ticket.requester.email == "bob@example.com"
    message = ticket.messages.get()
    assert message.body_text == "Please find the invoice attached."
    assert [a.filename for a in message.attachments.all()] == ["invoice.pdf"]


@PROVIDERS
def test_wrong_secret_or_signature_stores_nothing(box: Mailbox) -> None:
    assert postmark(postmark_sample(), secret="hooks:wrong") == 400
    fields = {"recipient": "support@desk.example", "body-mime": RAW_GEORGIAN}
    assert mailgun(fields, key="key-not-the-right-one") == 400
    assert RawMessage.objects.count() == 0 and Ticket.objects.count() == 0


@override_settings(ANYMAIL={})
def test_postmark_is_refused_without_a_shared_secret(box: Mailbox) -> None:
    response = Client().post(
        "/anymail/postmark/inbound/", json.dumps(postmark_sample()), content_type="application/json"
    )
    assert response.status_code == 403
    assert RawMessage.objects.count() == 0


@PROVIDERS
def test_mail_for_no_mailbox_is_quarantined_and_can_be_retried(box: Mailbox) -> None:
    payload = postmark_sample(
        RawEmail=RAW_GEORGIAN.replace("To: support@desk.example", "To: sales@elsewhere.example"),
        OriginalRecipient="sales@elsewhere.example",
    )
    assert postmark(payload) == 200
    row = RawMessage.objects.get()
    assert row.status == RawStatus.QUARANTINED and row.mailbox == box and row.source == "postmark"
    assert row.error.startswith("no_mailbox:") and "sales@elsewhere.example" in row.error
    assert postmark(payload) == 200 and RawMessage.objects.count() == 1  # a retried post
    outcome = actions.retry_message(actor=Actor.of_agent(make_agent(role="admin")), raw=row)
    assert outcome.outcome == "new_ticket" and Ticket.objects.count() == 1
