from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core import mail as django_mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.mail import actions
from helpline.mail.models import ClosedTicketPolicy, Mailbox, OutboundMail, RawMessage, RawStatus
from helpline.mail.store import read_raw
from helpline.mail.tokens import reply_address
from helpline.tickets import actions as ticket_actions
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message, Status, Ticket
from tests.factories import make_agent
from tests.mail.mails import new_id, raw_mail

pytestmark = pytest.mark.django_db


def receive(mailbox: Mailbox, raw: bytes) -> actions.Outcome:
    return actions.receive_message(mailbox=mailbox, raw=raw, source="test")


def test_new_mail_opens_ticket_stores_raw_and_acknowledges(
    mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    raw = raw_mail("გამარჯობა, ჩემი პრინტერი არ მუშაობს.", subject="Printer")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = receive(mailbox, raw)
    assert outcome.outcome == "new_ticket"
    ticket = Ticket.objects.get(number=outcome.ticket)
    assert ticket.channel == Channel.EMAIL and ticket.subject == "Printer"
    assert ticket.requester.email == "ann@example.com" and ticket.requester.name == "Ann Customer"
    message = ticket.messages.get()
    assert message.body_text == "გამარჯობა, ჩემი პრინტერი არ მუშაობს."
    assert message.external_id == outcome.message_id
    row = RawMessage.objects.get()
    assert row.status == RawStatus.PROCESSED and read_raw(row.path) == raw
    assert message.meta["email"]["raw"] == row.pk
    assert len(django_mail.outbox) == 1 and f"[#{ticket.number}]" in django_mail.outbox[0].subject


def test_same_message_twice_is_a_duplicate(mailbox: Mailbox) -> None:
    raw = raw_mail()
    first = receive(mailbox, raw)
    second = receive(mailbox, raw)
    assert (first.outcome, second.outcome) == ("new_ticket", "duplicate")
    assert second.ticket == first.ticket
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1 and RawMessage.objects.count() == 1


def test_crash_after_store_is_recovered_on_redelivery(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = raw_mail()
    from helpline.mail import ingest

    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # the worker dies in the middle (not an ordinary error)

    monkeypatch.setattr(ingest, "_route", boom)
    with pytest.raises(KeyboardInterrupt):
        receive(mailbox, raw)
    row = RawMessage.objects.get()
    assert row.status == RawStatus.RECEIVED and Ticket.objects.count() == 0
    monkeypatch.undo()
    assert receive(mailbox, raw).outcome == "new_ticket"
    assert receive(mailbox, raw).outcome == "duplicate"
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_threading_by_references_token_and_subject(mailbox: Mailbox) -> None:
    first = receive(mailbox, raw_mail(message_id="<one@client>"))
    number = first.ticket
    by_ref = receive(mailbox, raw_mail("second", message_id="<two@client>", headers={"In-Reply-To": "<one@client>"}))
    assert (by_ref.outcome, by_ref.ticket) == ("added", number)
    token = reply_address("support@desk.example", number)
    by_token = receive(mailbox, raw_mail("third", to=token, subject="no reference"))
    assert by_token.ticket == number
    by_subject = receive(mailbox, raw_mail("fourth", subject=f"Re: [#{number}] Printer"))
    assert by_subject.ticket == number
    stranger = receive(mailbox, raw_mail("x", subject=f"Re: [#{number}] Printer", sender="eve@evil.example"))
    assert stranger.outcome == "new_ticket" and stranger.ticket != number
    forged = receive(
        mailbox, raw_mail("x", to=f"support+{number}-000000000000@desk.example", sender="eve@evil.example")
    )
    assert forged.ticket != number
    known_new = receive(mailbox, raw_mail("another problem", subject="Scanner"))
    assert known_new.outcome == "new_ticket" and known_new.ticket != number
    assert Ticket.objects.get(number=number).messages.count() == 4


def test_reply_to_our_outbound_message_id_threads(mailbox: Mailbox) -> None:
    number = receive(mailbox, raw_mail()).ticket
    ticket = Ticket.objects.get(number=number)
    reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Try this")
    delivery_actions.set_delivery_status(
        actor=Actor.system(), message=reply, status=DeliveryStatus.SENT, external_id="<out-1@desk.example>"
    )
    answer = receive(
        mailbox, raw_mail("It worked", subject="Re: something", headers={"References": "<out-1@desk.example>"})
    )
    assert answer.ticket == number


@pytest.mark.parametrize(
    ("policy", "expected"), [(ClosedTicketPolicy.REOPEN, "reopened"), (ClosedTicketPolicy.FOLLOW_UP, "follow_up")]
)
def test_reply_to_closed_ticket(mailbox: Mailbox, policy: str, expected: str) -> None:
    mailbox.closed_ticket_policy = policy
    mailbox.save()
    number = receive(mailbox, raw_mail(message_id="<c1@client>")).ticket
    ticket = Ticket.objects.get(number=number)
    ticket_actions.update_ticket(actor=Actor.system(), ticket=ticket, status=Status.CLOSED)
    outcome = receive(mailbox, raw_mail("again", headers={"In-Reply-To": "<c1@client>"}))
    assert outcome.outcome == expected
    ticket.refresh_from_db()
    if policy == ClosedTicketPolicy.REOPEN:
        assert outcome.ticket == number and ticket.status == Status.OPEN
    else:
        assert outcome.ticket != number and ticket.status == Status.CLOSED
        follow_up = Ticket.objects.get(number=outcome.ticket)
        assert follow_up.links_out.get().target == ticket


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"X-Auto-Response-Suppress": "All"},
        {"Return-Path": "<>"},
    ],
)
def test_auto_replies_are_kept_but_never_answered(
    mailbox: Mailbox, headers: dict[str, str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = receive(mailbox, raw_mail("I am out of office", headers=headers))
    assert outcome.outcome == "new_ticket"
    assert django_mail.outbox == []
    assert Message.objects.get().meta["email"]["auto"]


def test_our_own_mail_looping_back_is_ignored(mailbox: Mailbox) -> None:
    assert receive(mailbox, raw_mail(sender="support@desk.example")).outcome == "ignored"
    assert receive(mailbox, raw_mail(headers={"X-Helpline-Loop": "support@desk.example"})).outcome == "ignored"
    assert Ticket.objects.count() == 0 and RawMessage.objects.filter(outcome="loop").count() == 2


def test_bounce_marks_delivery_failed(mailbox: Mailbox) -> None:
    number = receive(mailbox, raw_mail()).ticket
    ticket = Ticket.objects.get(number=number)
    reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Answer")
    OutboundMail.objects.create(mailbox=mailbox, ticket_message=reply, message_id="<out-9@desk.example>", status="sent")
    dsn = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@desk.example\r\nSubject: Undelivered Mail\r\n"
        b"Message-ID: <dsn-1@mx>\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; ann@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-9@desk.example>\r\nSubject: Re: x\r\n"
        b"--B--\r\n"
    )
    outcome = receive(mailbox, dsn)
    assert (outcome.outcome, outcome.ticket) == ("bounce", number)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "user unknown" in reply.delivery_error
    assert ticket.messages.count() == 2  # the bounce is not a customer message


def test_too_large_and_rate_limited_go_to_quarantine(mailbox: Mailbox) -> None:
    mailbox.max_message_bytes = 2000
    mailbox.sender_rate_limit = 2
    mailbox.save()
    big = receive(mailbox, raw_mail("x" * 3000))
    assert big.outcome == "quarantined" and big.reason.startswith("too_large")
    assert receive(mailbox, raw_mail("1")).outcome == "new_ticket"
    assert receive(mailbox, raw_mail("2")).outcome == "new_ticket"
    limited = receive(mailbox, raw_mail("3"))
    assert limited.outcome == "quarantined" and limited.reason.startswith("rate_limited")
    assert RawMessage.objects.filter(status=RawStatus.QUARANTINED).count() == 2


def test_failure_quarantines_and_retry_processes(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpline.mail import ingest

    def broken(raw: bytes, **_kwargs: object) -> None:
        raise ValueError("parser exploded")

    monkeypatch.setattr(ingest, "parse", broken)
    outcome = receive(mailbox, raw_mail())
    assert outcome.outcome == "quarantined" and "parser exploded" in outcome.reason
    row = RawMessage.objects.get()
    assert row.status == RawStatus.QUARANTINED and read_raw(row.path)
    monkeypatch.undo()
    admin = make_agent("admin")
    retried = actions.retry_message(actor=Actor.of_agent(admin), raw=row)
    assert retried.outcome == "new_ticket"
    row.refresh_from_db()
    assert row.status == RawStatus.PROCESSED and row.attempts == 2


def test_inline_images_attachments_and_remote_images(mailbox: Mailbox) -> None:
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    raw = (
        b"From: bob@example.com\r\nTo: support@desk.example\r\nSubject: screenshot\r\nMessage-ID: "
        + new_id().encode()
        + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>See <img src="cid:shot@x" alt="shot"> and <img src="https://tracker.example/p.gif" alt="px"></p>'
        b"<script>alert(1)</script>\r\n"
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <shot@x>\r\nContent-Disposition: inline\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(png)
        + b'--R\r\nContent-Type: application/x-msdownload\r\nContent-Disposition: attachment; filename="run.exe"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"MZ\x90\x00evil") + b"--R--\r\n"
    )
    outcome = receive(mailbox, raw)
    message = Ticket.objects.get(number=outcome.ticket).messages.get()
    attachment = message.attachments.get()
    assert attachment.inline and attachment.content_id == "shot@x"
    assert f"/attachments/{attachment.public_id}/" in message.body_html
    assert 'src="https://tracker.example' not in message.body_html
    assert 'href="https://tracker.example/p.gif"' in message.body_html
    assert "<script" not in message.body_html
    assert message.meta["email"]["remote_images"] == 1
    assert message.meta["email"]["rejected_attachments"] == [
        {"filename": "run.exe", "reason": "attachment_type_forbidden"}
    ]


def test_quoted_history_is_folded_in_the_ticket(mailbox: Mailbox) -> None:
    text = "Works now, thanks!\n\nOn Mon, 3 Jun 2024 at 10:00, Support <support@desk.example> wrote:\n> Try again"
    outcome = receive(mailbox, raw_mail(text))
    message = Ticket.objects.get(number=outcome.ticket).messages.get()
    assert message.body_text == "Works now, thanks!"
    assert message.meta["email"]["folded_text"].startswith("On Mon")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=3000), prefix=st.sampled_from([b"", b"From: a@b.example\r\nSubject: x\r\n\r\n"]))
def test_arbitrary_bytes_never_crash_and_are_always_stored(mailbox: Mailbox, data: bytes, prefix: bytes) -> None:
    raw = prefix + data
    outcome = receive(mailbox, raw)
    assert outcome.outcome in {"new_ticket", "added", "duplicate", "quarantined", "ignored"}
    row = RawMessage.objects.get(pk=outcome.raw_id)
    assert read_raw(row.path) == raw
    assert row.status in (RawStatus.PROCESSED, RawStatus.QUARANTINED, RawStatus.IGNORED)
