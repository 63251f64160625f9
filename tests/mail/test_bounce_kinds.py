"""Plain-text bounces (no DSN) as the common servers write them: recognised by who sends them (the
mail system's addresses and names), by what their reports say (qmail, Exim, Postfix, Sendmail,
Exchange, Microsoft 365, Gmail, Yahoo) and by their subjects in the languages servers really use;
never a customer's message that only talks about undelivered mail; a warning that delivery is
merely delayed (plain, or a DSN) fails nothing. End to end: bounces of acknowledgements fetched from a real IMAP server (Dovecot)
after the acknowledgements went out through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import re
from email.header import Header
from typing import Any

import pytest

from helpline.mail import actions, imap
from helpline.mail.models import Acknowledgement, Mailbox, OutboundStatus
from helpline.mail.parsing import parse
from helpline.tickets.models import Message, Ticket
from tests.factories import make_team
from tests.mail.dovecot import DOVECOT
from tests.mail.mails import raw_mail
from tests.mail.test_bounces import Relay, smtp_imap_mailbox
from tests.mail.test_imap import deliver, dovecot  # noqa: F401  (dovecot: fixture)

ORIGINAL = "<hl-ack.123.456@desk.example>"


def encoded(subject: str) -> str:
    """The subject as it travels (RFC 2047 when it is not ASCII)."""
    return subject if subject.isascii() else Header(subject, "utf-8").encode()


def bounce(sender: str, subject: str, report: str, *, headers: dict[str, str] | None = None) -> bytes:
    """A plain-text bounce: the report, then the original's headers quoted after a separator."""
    quoted = (
        "\n\n------ This is a copy of the message's headers. ------\n\n"
        f"From: Support <support@desk.example>\nTo: ann@example.com\nSubject: [#12] Printer\nMessage-ID: {ORIGINAL}\n"
    )
    return raw_mail(report + quoted, sender=sender, subject=encoded(subject), headers=headers)


POSTFIX = (
    "This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n\n"
    "<ann@example.com>: host mail.example.com[192.0.2.5] said: 550 5.1.1 <ann@example.com>: Recipient address\n"
    "    rejected: User unknown in local recipient table (in reply to RCPT TO command)"
)
GMAIL = (
    "** Address not found **\n\nYour message wasn't delivered to ann@example.com because the address couldn't be "
    "found, or is unable to receive mail.\n\nThe response from the remote server was:\n"
    "550 5.1.1 The email account that you tried to reach does not exist."
)
YAHOO = (
    "Sorry, we were unable to deliver your message to the following address.\n\n<ann@example.com>:\n"
    "554: delivery error: dd This user doesn't have a yahoo.com account (ann@example.com) [0]"
)
OFFICE365 = (
    "Your message to ann@example.com couldn't be delivered.\nann wasn't found at example.com.\n\n"
    "Diagnostic information for administrators:\n\nGenerating server: AM0PR02MB3732.eurprd02.prod.outlook.com\n\n"
    "ann@example.com\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'"
)
EXCHANGE = (
    "Delivery has failed to these recipients or groups:\n\nann@example.com\nThe e-mail address you entered "
    "couldn't be found.\n\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"
)
SENDMAIL = (
    "The original message was received at Sun, 6 Dec 2026 05:01:16 GMT\nfrom localhost [127.0.0.1]\n\n"
    "   ----- The following addresses had permanent fatal errors -----\n<ann@example.com>\n"
    "    (reason: 550 5.1.1 <ann@example.com>... User unknown)"
)
EXIM = (
    "This message was created automatically by mail delivery software.\n\nA message that you sent could not be "
    "delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n"
    "  ann@example.com\n    SMTP error from remote mail server after RCPT TO:<ann@example.com>:\n"
    "    550 5.1.1 User unknown"
)
QMAIL = (
    "Hi. This is the qmail-send program at mail.example.org.\nI'm afraid I wasn't able to deliver your message to "
    "the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<ann@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)"
)


@pytest.mark.parametrize(
    ("sender", "subject", "report"),
    [
        # the sender says it: a mail system's address or name, the subject in no known language
        ("MAILER-DAEMON@mx.example.org (Mail Delivery System)", "Undelivered Mail Returned to Sender", POSTFIX),
        ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Failure)", GMAIL),
        ("MAILER-DAEMON@yahoo.com", "Failure Notice", YAHOO),
        (
            "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com>",
            "Undeliverable: [#12] Printer",
            OFFICE365,
        ),
        ("Mail Delivery Subsystem <bounces@mail.example.net>", "Returned mail: see transcript for details", SENDMAIL),
        # the report says it, whatever the subject (a language the subjects are not known in)
        ("Mail Delivery System <Mailer-Daemon@exim.example>", "Rapport de remise", EXIM),
        ("postmaster@corp.example", "[#12] Printer", EXCHANGE),
        ("MAILER-DAEMON@mail.example.org", "?", QMAIL),
        ("Mail Delivery System <noreply@mx.example>", "", POSTFIX),
    ],
)
def test_plain_text_bounces_of_the_common_servers_are_recognised(sender: str, subject: str, report: str) -> None:
    mail = parse(bounce(sender, subject, report))
    assert mail.bounce is not None
    assert mail.bounce.original_message_id == ORIGINAL
    assert re.search(r"\b(55\d|5\.1\.1)\b", mail.bounce.diagnostic)  # the server's answer, for the agent


@pytest.mark.parametrize(
    "subject",
    [
        "Não é possível entregar: [#12] Impressora",  # pt: Exchange, Microsoft 365
        "Niedostarczalne: [#12] Drukarka",  # pl
        "Nie można dostarczyć: [#12] Drukarka",  # pl
        "Zprávu nelze doručit: [#12] Tiskárna",  # cs
        "Olevererbart: [#12] Skrivare",  # sv
        "Teslim edilemedi: [#12] Yazıcı",  # tr
        "系统退信",  # zh: Coremail, 163
        "未送达: [#12] 打印机",  # zh
        "Недоставленное сообщение",  # ru: Yandex
        "Onbestelbaar: [#12] Printer",  # nl
    ],
)
def test_subjects_in_the_languages_servers_use(subject: str) -> None:
    """A localized report (no English words to go by) from a mail system's address."""
    mail = parse(bounce("MAILER-DAEMON@mx.example", subject, "550 5.1.1 <ann@example.com>"))
    assert mail.bounce is not None and mail.bounce.original_message_id == ORIGINAL
    # from postmaster (people write from there too) the same subject counts with the original quoted
    mail = parse(bounce("postmaster@mx.example", subject, "550 5.1.1 <ann@example.com>"))
    assert mail.bounce is not None and mail.bounce.original_message_id == ORIGINAL


@pytest.mark.parametrize(
    ("sender", "subject", "body", "headers"),
    [
        # customers writing about undelivered things, in the words servers use
        ("Ann <ann@example.com>", "Undelivered parcel", "My parcel was not delivered. Message-ID: <x@y>", {}),
        ("Ann <ann@example.com>", "Niedostarczalne zamówienie", "Paczka niedostarczalna, nr 42.", {}),
        ("Ann <ann@example.com>", "Teslim edilemedi", "Siparişim teslim edilemedi.", {}),
        # a customer forwarding a bounce they got: still their message, about it
        ("Ann <ann@example.com>", "Fwd: Undelivered Mail Returned to Sender", "See below?\n\n" + POSTFIX, {}),
        ("Ann <ann@example.com>", "Fwd: Undeliverable: order", EXCHANGE + f"\nMessage-ID: {ORIGINAL}", {}),
        # a person at postmaster asking about delivery, nothing quoted
        ("postmaster@corp.example", "Delivery problem yesterday?", "Did you get our mails yesterday?", {}),
        # an out-of-office with the null sender
        ("ann@example.com", "Automatic reply: undelivered order", "I am away.", {"Return-Path": "<>"}),
    ],
)
def test_messages_that_only_talk_about_undelivered_mail_are_no_bounces(
    sender: str, subject: str, body: str, headers: dict[str, str]
) -> None:
    assert parse(raw_mail(body, sender=sender, subject=encoded(subject), headers=headers)).bounce is None


@pytest.mark.parametrize(
    ("sender", "subject", "report"),
    [
        (
            "MAILER-DAEMON@mx.example.org (Mail Delivery System)",
            "Delayed Mail (still being retried)",
            "This is the mail system at host mx.example.org.\n\n####################################################"
            "\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n",
        ),
        (
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification (Delay)",
            "This is an automatically generated Delivery Status Notification\n\nTHIS IS A WARNING MESSAGE ONLY.\n\n"
            "Delivery to the following recipient has been delayed:\n\n     ann@example.com\n\n"
            "Message will be retried for 2 more day(s)",
        ),
        (
            "Mail Delivery System <Mailer-Daemon@exim.example>",
            "Warning: message 1kXyZ-0001 delayed 24 hours",
            "This message was created automatically by mail delivery software.\nA message that you sent has not "
            "yet been delivered to one or more of its recipients after more than 24 hours on the queue.",
        ),
    ],
)
def test_warnings_that_delivery_is_delayed_fail_nothing(sender: str, subject: str, report: str) -> None:
    mail = parse(bounce(sender, subject, report))
    assert mail.bounce is not None and mail.bounce.failed is False  # a report, kept out of the tickets


def dsn(action: str, status: str) -> bytes:
    """A delivery status notification (RFC 3464) with one recipient's action."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\nTo: support@desk.example\r\n"
        f"Subject: Delivery Status Notification\r\nMessage-ID: <dsn-{action}@mx.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.example.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; ann@example.com\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ORIGINAL}\r\n--B--\r\n"
    ).encode()


@pytest.mark.django_db
def test_dsns_that_report_delay_or_delivery_leave_the_acknowledgement_sent(mailbox: Mailbox, commits: Any) -> None:
    with commits():  # the acknowledgement goes out once the new ticket is committed
        actions.receive_message(mailbox=mailbox, raw=raw_mail("Hello"), source="test")
    ack = Acknowledgement.objects.get()
    for action, status in (("delayed", "4.4.7"), ("delivered", "2.0.0"), ("relayed", "2.0.0")):
        raw = dsn(action, status).replace(ORIGINAL.encode(), ack.message_id.encode())
        outcome = actions.receive_message(mailbox=mailbox, raw=raw, source="test")
        assert (outcome.outcome, outcome.reason) == ("ignored", "delivery_report")
    ack.refresh_from_db()
    assert ack.status == OutboundStatus.SENT and Ticket.objects.count() == 1
    failed = actions.receive_message(
        mailbox=mailbox, raw=dsn("failed", "5.1.1").replace(ORIGINAL.encode(), ack.message_id.encode()), source="test"
    )
    ack.refresh_from_db()
    assert failed.outcome == "bounce" and ack.status == OutboundStatus.FAILED and "5.1.1" in ack.last_error


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.skipif(DOVECOT is None, reason="dovecot binary not installed (apt-get install dovecot-imapd)")
@pytest.mark.skipif(os.geteuid() != 0, reason="the test Dovecot must start as root to drop to the mail user")
def test_bounces_recognised_by_sender_report_or_language_mark_the_acknowledgements_failed(
    dovecot: Any,  # noqa: F811
) -> None:
    with Relay() as sink:
        box = smtp_imap_mailbox(dovecot, sink, team=make_team("Support"), send_acknowledgement=True)
        customers = ["ann@example.com", "bob@example.org", "eka@example.ge"]
        deliver(dovecot, *(raw_mail("Help please", sender=a, message_id=f"<q{i}@c>") for i, a in enumerate(customers)))
        assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"] * 3
        sent = {str(m["To"]): m for m in sink.handler.messages}
        ids = {a: sent[a]["Message-ID"] for a in customers}

        def quoting(address: str) -> str:
            return f"\n\n--- Original message headers:\n\nMessage-ID: {ids[address]}\nTo: {address}\n"

        deliver(
            dovecot,
            # Gmail: the sender's name and address say it, the subject is no failure's
            raw_mail(
                GMAIL + quoting(customers[0]),
                sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
                subject="Delivery Status Notification (Failure)",
            ),
            # Microsoft 365 in Swedish: its reporting address and a Swedish subject
            raw_mail(
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound" + quoting(customers[1]),
                sender="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example>",
                subject=encoded("Olevererbart: Din förfrågan"),
            ),
            # a customer (the third) writes about an undelivered parcel, quoting our acknowledgement's id
            raw_mail(
                f"My parcel was not delivered.\n\nMessage-ID: {ids[customers[2]]}",
                sender=customers[2],
                subject="Undelivered parcel",
            ),
        )
        outcomes = imap.fetch_once(box)
        numbers = {a.message_id: a.ticket.number for a in Acknowledgement.objects.select_related("ticket")}
        assert [(o.outcome, o.ticket) for o in outcomes[:2]] == [("bounce", numbers[ids[a]]) for a in customers[:2]]
        assert outcomes[2].outcome == "new_ticket"  # a customer's message, threaded as such
        assert len(sink.handler.messages) == 4  # the bounces were not acknowledged; the customer's mail was

    status = {a.message_id: a.status for a in Acknowledgement.objects.all()}
    assert [status[ids[a]] for a in customers] == [OutboundStatus.FAILED, OutboundStatus.FAILED, OutboundStatus.SENT]
    assert Ticket.objects.count() == 4 and Message.objects.count() == 4
