"""Spam verdicts of email service providers on inbound webhooks (anymail's `spam_detected` and
`spam_score`): such mail is stored and held in the quarantine as spam, never answered and never
dropped, and an admin releases it into a ticket."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail as django_mail
from django.test import Client

from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.mail.store import read_raw
from helpline.tickets.models import Ticket
from tests.factories import PASSWORD, make_agent, make_team
from tests.mail.test_provider_inbound import PROVIDERS, RAW_GEORGIAN, auth, mailgun, postmark, postmark_sample

pytest.importorskip("anymail")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def box() -> Mailbox:
    """Acknowledgements on: spam must not get one."""
    return Mailbox.objects.create(
        name="Support", email_address="support@desk.example", team=make_team("Support"), send_acknowledgement=True
    )


def sendgrid(raw: str, spam_score: str | None) -> int:
    """SendGrid's Inbound Parse with "send raw": the MIME in `email`, SpamAssassin's score alone."""
    fields: dict[str, Any] = {
        "email": raw,
        "to": "support@desk.example",
        "from": "Nino <nino@example.ge>",
        "envelope": '{"to":["support@desk.example"],"from":"nino@example.ge"}',
        "charsets": '{"to":"UTF-8","from":"UTF-8","subject":"UTF-8"}',
    }
    if spam_score is not None:
        fields["spam_score"] = spam_score
    return Client().post("/anymail/sendgrid/inbound/", fields, **auth()).status_code


def spam_headers(spam: str, score: str) -> list[dict[str, str]]:
    return [
        {"Name": "Return-Path", "Value": "<ann@example.com>"},
        {"Name": "X-Spam-Status", "Value": spam},
        {"Name": "X-Spam-Score", "Value": score},
    ]


@PROVIDERS
def test_postmark_spam_is_held_unanswered_and_released_by_an_admin(box: Mailbox) -> None:
    payload = postmark_sample(Headers=spam_headers("Yes", "8.4"), Subject="Cheap watches")
    assert postmark(payload) == 200
    assert postmark(payload) == 200  # Postmark's retry: still one stored message
    row = RawMessage.objects.get()
    assert (row.status, row.outcome, row.source) == (RawStatus.QUARANTINED, "spam", "postmark")
    assert row.error == "spam: the provider judged it spam (score 8.4)"
    assert (row.sender, row.subject) == ("ann@example.com", "Cheap watches")
    assert read_raw(row.path)  # the bytes are kept
    assert Ticket.objects.count() == 0 and django_mail.outbox == []  # no ticket, no acknowledgement

    admin = Client()
    assert admin.login(username=make_agent("admin").username, password=PASSWORD)
    page = admin.get("/admin/mailboxes/quarantine/").content.decode()
    assert "Spam" in page and "Not spam: release" in page and "Cheap watches" in page
    response = admin.post(f"/admin/mailboxes/quarantine/{row.pk}/retry/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RawStatus.PROCESSED and row.outcome == "new_ticket"
    ticket = Ticket.objects.get()
    assert ticket.subject == "Cheap watches" and ticket.requester.email == "ann@example.com"
    assert [m.to for m in django_mail.outbox] == [["ann@example.com"]]  # released: acknowledged as usual


@PROVIDERS
def test_postmark_mail_judged_clean_is_processed(box: Mailbox) -> None:
    assert postmark(postmark_sample(Headers=spam_headers("No", "9.9"))) == 200  # the verdict wins over the score
    row = RawMessage.objects.get()
    assert row.status == RawStatus.PROCESSED and row.outcome == "new_ticket"


@PROVIDERS
def test_mailgun_spam_flag_in_the_raw_mime(box: Mailbox) -> None:
    flagged = RAW_GEORGIAN.replace("MIME-Version", "X-Mailgun-Sflag: Yes\r\nX-Mailgun-Sscore: 12.5\r\nMIME-Version")
    assert mailgun({"recipient": "support@desk.example", "body-mime": flagged}) == 200
    row = RawMessage.objects.get()
    assert (row.status, row.outcome) == (RawStatus.QUARANTINED, "spam")
    assert row.error == "spam: the provider judged it spam (score 12.5)"
    assert read_raw(row.path) == flagged.encode()
    assert Ticket.objects.count() == 0 and django_mail.outbox == []


@PROVIDERS
def test_sendgrid_score_against_the_mailbox_threshold(box: Mailbox) -> None:
    assert sendgrid(RAW_GEORGIAN, "6.2") == 200
    row = RawMessage.objects.get()
    assert (row.status, row.outcome, row.source) == (RawStatus.QUARANTINED, "spam", "sendgrid")
    assert row.error == "spam: the provider's spam score 6.2 is at or above the mailbox's threshold 5"
    assert read_raw(row.path) == RAW_GEORGIAN.encode()

    second = RAW_GEORGIAN.replace("<raw-ka-1@", "<raw-ka-2@")
    assert sendgrid(second, "1.3") == 200  # below the threshold
    assert RawMessage.objects.get(message_id="<raw-ka-2@example.ge>").outcome == "new_ticket"

    Mailbox.objects.filter(pk=box.pk).update(spam_score_threshold=None)  # scores ignored
    third = RAW_GEORGIAN.replace("<raw-ka-1@", "<raw-ka-3@")
    assert sendgrid(third, "20") == 200
    assert RawMessage.objects.get(message_id="<raw-ka-3@example.ge>").status == RawStatus.PROCESSED
    assert Ticket.objects.count() == 2
