"""Acknowledgements from a mailbox without SMTP settings go out through the desk's email backend
(here a real SMTP server, aiosmtpd) recorded like any other: their bounces, fetched from a real IMAP
server (Dovecot), mark them failed. A failed acknowledgement is written through the actions layer:
into the ticket's history and, at once, onto the open ticket page (a `ticket.changed` push on the
ticket's socket, then the page's live fragments carry the notice)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client, override_settings

from helpline.core.realtime import DESK_GROUP, ticket_group
from helpline.mail import actions, bounces, imap
from helpline.mail.models import Acknowledgement, Mailbox, OutboundStatus
from helpline.mail.tokens import reply_address
from helpline.tickets.models import EventKind, Message, Ticket
from tests.conftest import EventCapture
from tests.factories import PASSWORD, make_agent, make_team
from tests.mail.dovecot import DOVECOT
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink
from tests.mail.test_bounces import qmail_bounce
from tests.mail.test_imap import deliver, dovecot, imap_mailbox  # noqa: F401  (dovecot: fixture)
from tests.web.test_consumers import headers_for, next_of, open_socket

needs_dovecot = pytest.mark.skipif(
    DOVECOT is None or os.geteuid() != 0,
    reason="needs Debian's dovecot-imapd, started as root (it drops to the mail user)",
)


def desk_backend(sink: SmtpSink) -> override_settings:
    """The desk's email backend: SMTP to the sink (what a mailbox without SMTP settings uses)."""
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port
    )


@pytest.mark.django_db(transaction=True)
@needs_dovecot
def test_acknowledgements_without_smtp_settings_are_recorded_and_their_bounces_matched(
    dovecot: Any,  # noqa: F811
) -> None:
    with SmtpSink() as sink, desk_backend(sink):
        box = imap_mailbox(dovecot, team=make_team("Support"), send_acknowledgement=True, sender_rate_limit=0)
        assert not box.smtp_host
        deliver(dovecot, raw_mail("My printer is broken.", sender="Ann <ann@example.com>", message_id="<a1@c>"))
        [opened] = imap.fetch_once(box)
        ack = Acknowledgement.objects.get()
        assert (ack.status, ack.attempts, ack.recipient) == (OutboundStatus.SENT, 1, "ann@example.com")
        [sent] = sink.handler.messages
        assert sent["Message-ID"] == ack.message_id and f"[#{opened.ticket}]" in str(sent["Subject"])
        assert str(sent["From"]) == settings.DEFAULT_FROM_EMAIL  # the desk's sender, as the portal's confirmation
        assert str(sent["Reply-To"]) == reply_address(box.email_address, opened.ticket)  # replies thread back
        assert sent["In-Reply-To"] == "<a1@c>" and sent["Auto-Submitted"] == "auto-replied"

        deliver(dovecot, qmail_bounce(sent))
        [bounced] = imap.fetch_once(box)
        assert (bounced.outcome, bounced.ticket) == ("bounce", opened.ticket)
        assert len(sink.handler.messages) == 1  # the bounce was not acknowledged

    ack.refresh_from_db()
    assert ack.status == OutboundStatus.FAILED and "no mailbox here" in ack.last_error.lower()
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    client = Client()
    assert client.login(username=make_agent("admin").username, password=PASSWORD)
    page = client.get(f"/tickets/{opened.ticket}/").content.decode()
    assert 'data-undelivered-acknowledgement="ann@example.com"' in page
    assert "delivery of the acknowledgement to ann@example.com" in page  # the history says what happened


@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_the_desks_server_refuses_fails_at_once(mailbox: Mailbox) -> None:
    with SmtpSink() as sink, desk_backend(sink):
        sink.handler.reject_permanently = True
        outcome = actions.receive_message(mailbox=mailbox, raw=raw_mail("Hello"), source="test")
    ack = Acknowledgement.objects.get()
    assert (ack.status, ack.attempts) == (OutboundStatus.FAILED, 1) and "550" in ack.last_error
    ticket = Ticket.objects.get(number=outcome.ticket)
    [event] = ticket.events.filter(kind=EventKind.DELIVERY_CHANGED)
    assert event.message_id is None and event.after == "failed"
    assert event.data == {"mail": "acknowledgement", "recipient": "ann@example.com", "error": ack.last_error[:500]}


def test_a_bounced_acknowledgement_is_one_event_pushed_to_the_desk_and_the_ticket_page(
    mailbox: Mailbox, capture: EventCapture, commits: Any
) -> None:
    with commits():
        outcome = actions.receive_message(mailbox=mailbox, raw=raw_mail("Hello"), source="test")
    ack = Acknowledgement.objects.get()
    assert ack.status == OutboundStatus.SENT
    capture.events.clear()
    capture.realtime.clear()
    with commits():
        assert bounces.mark_bounced(ack.message_id, "550 5.1.1 user unknown") == ack.ticket_id
    with commits():  # a second report of the same failure changes nothing
        bounces.mark_bounced(ack.message_id, "550 5.1.1 user unknown")
    ack.refresh_from_db()
    assert ack.status == OutboundStatus.FAILED and ack.last_error == "bounced: 550 5.1.1 user unknown"
    assert capture.kinds == [EventKind.DELIVERY_CHANGED]
    ticket = Ticket.objects.get(number=outcome.ticket)
    groups = [group for group, message in capture.realtime if message["event"] == EventKind.DELIVERY_CHANGED]
    assert groups == [DESK_GROUP, ticket_group(ticket.public_id)]


@pytest.mark.django_db(transaction=True)
@needs_dovecot
def test_the_notice_appears_live_on_an_open_ticket_page_when_the_bounce_comes_in(
    dovecot: Any,  # noqa: F811
) -> None:
    agent = make_agent(display_name="Maria")
    with SmtpSink() as sink, desk_backend(sink):
        box = imap_mailbox(dovecot, team=make_team("Support", members=[agent]), sender_rate_limit=0)
        deliver(dovecot, raw_mail("Where is my parcel?", sender="Bob <bob@example.org>"))
        [opened] = imap.fetch_once(box)
        ticket = Ticket.objects.get(number=opened.ticket)
        client = Client()
        client.force_login(agent)
        live_url = f"/tickets/{ticket.number}/live/"
        before = client.get(live_url).content.decode()
        assert '<div id="undelivered-panel" hx-swap-oob="true"></div>' in before  # the place the notice goes
        [sent] = [m for m in sink.handler.messages if str(m["To"]) == "bob@example.org"]  # (Maria is notified)
        deliver(dovecot, qmail_bounce(sent))

        headers = headers_for(agent)

        async def run() -> dict[str, Any]:
            page = await open_socket(f"/ws/tickets/{ticket.public_id}/", headers)
            [bounced] = await database_sync_to_async(imap.fetch_once)(box)
            assert bounced.outcome == "bounce"
            change = await next_of(page, "ticket.changed")
            await page.disconnect()
            return change

        change = async_to_sync(run)()
    assert change["ticket"] == ticket.public_id and change["event"] == EventKind.DELIVERY_CHANGED
    after = client.get(live_url).content.decode()  # what the page fetches on that push
    assert '<div id="undelivered-panel" hx-swap-oob="true">' in after
    assert 'data-undelivered-acknowledgement="bob@example.org"' in after and "no mailbox here" in after.lower()
