"""Agent replies on email tickets, delivered by the mailbox's SMTP with proper threading headers.

The portal emails every reply until a channel claims it (`OUTBOUND_CLAIM_HOOK`); `claim` takes
replies on tickets that came in by email through a mailbox with SMTP settings."""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.mail import participants, signatures, smtp
from helpline.mail.models import Mailbox, OutboundMail, OutboundStatus, RawMessage
from helpline.mail.tokens import reply_address
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket

if TYPE_CHECKING:
    from django_tasks.base import Task

log = logging.getLogger("helpline.mail.outbound")
OUTBOUND_ACTOR = Actor.system("email")
RETRY_DELAYS = [30, 120, 600, 1800, 7200]  # seconds before attempts 2..6


def mailbox_for(ticket: Ticket) -> Mailbox | None:
    """The mailbox the ticket's mail came through, else the one of its team."""
    raw = (
        RawMessage.objects.filter(ticket=ticket, mailbox__active=True)
        .select_related("mailbox")
        .order_by("received_at", "id")
        .first()
    )
    if raw is not None:
        return raw.mailbox
    if ticket.team_id:
        return Mailbox.objects.filter(team_id=ticket.team_id, active=True).exclude(smtp_host="").first()
    return None


AUTOMATIC_NOT_SENT = "not sent: an automatic reply to an automatic message (auto-reply, bulk or bounce)"


def answers_an_automatic_mail(message: Message) -> bool:
    """A reply no person wrote (an automation's) on a ticket whose latest mail from outside was
    itself automatic (Auto-Submitted, an out-of-office, bulk mail): sending it could start a loop."""
    if message.author_agent_id is not None:
        return False
    last = (
        Message.objects.filter(ticket_id=message.ticket_id, kind=MessageKind.INBOUND, channel=Channel.EMAIL)
        .filter(created_at__lte=message.created_at)
        .order_by("-created_at", "-id")
        .values_list("meta", flat=True)
        .first()
    )
    return bool(((last or {}).get("email") or {}).get("auto"))


def claim(message: Message) -> bool:
    """Take over delivery of an agent reply on an email ticket; True when claimed."""
    ticket = message.ticket
    if message.kind != MessageKind.REPLY or ticket.channel != Channel.EMAIL:
        return False
    if answers_an_automatic_mail(message):  # never an automatic answer to an automatic message
        delivery_actions.set_delivery_status(
            actor=OUTBOUND_ACTOR, message=message, status=DeliveryStatus.FAILED, error=AUTOMATIC_NOT_SENT
        )
        return True
    box = mailbox_for(ticket)
    if box is None or not (box.smtp_host or getattr(settings, "MAIL_REPLIES_VIA_EMAIL_BACKEND", False)):
        return False
    domain = box.email_address.rsplit("@", 1)[-1]
    outbound, _created = OutboundMail.objects.get_or_create(
        ticket_message=message, defaults={"mailbox": box, "message_id": make_msgid(idstring="hl", domain=domain)}
    )
    outbound_id = outbound.pk
    from helpline.mail.tasks import send_reply

    transaction.on_commit(lambda: send_reply.enqueue(outbound_id))
    return True


def _references(ticket: Ticket, before: Message) -> list[str]:
    ids = []
    for message in ticket.messages.filter(channel=Channel.EMAIL, created_at__lte=before.created_at).exclude(
        pk=before.pk
    ):
        if message.external_id:
            ids.append(message.external_id)
    return ids[-20:]


def build(outbound: OutboundMail) -> EmailMessage:
    box = outbound.mailbox
    message = outbound.ticket_message
    ticket = message.ticket
    email = EmailMessage()
    sender_name = box.team.name if box.team else box.name
    email["From"] = formataddr((sender_name, box.email_address))
    email["To"] = ticket.requester.email
    if cc := participants.cc_addresses(ticket):
        email["Cc"] = ", ".join(cc)
    email["Reply-To"] = reply_address(box.email_address, ticket.number)
    subject = " ".join(ticket.subject.split())
    email["Subject"] = f"Re: [#{ticket.number}] {subject}"
    email["Message-ID"] = outbound.message_id
    email["Date"] = format_datetime(timezone.now())
    refs = _references(ticket, message)
    inbound = [m for m in refs if not OutboundMail.objects.filter(message_id=m).exists()]
    if refs:
        email["In-Reply-To"] = (inbound or refs)[-1]
        email["References"] = " ".join(refs)
    email["X-Helpline-Ticket"] = str(ticket.number)
    email["X-Helpline-Loop"] = box.email_address
    signature = signatures.for_reply(box, message)
    text = message.body_text + (f"\n\n-- \n{signature}" if signature else "")
    email.set_content(text)
    html = (message.body_html or "") + signatures.html_block(signature)
    email.add_alternative(f"<!doctype html><html><body>{html}</body></html>", subtype="html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            data = handle.read()
        ctype = attachment.content_type or mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        if maintype == "text":
            email.add_attachment(data.decode("utf-8", "replace"), subtype=subtype, filename=attachment.filename)
        else:
            email.add_attachment(
                data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
            )
    return email


def permanent_failure(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError)
    return False


def deliver(outbound_id: int) -> str:
    """One delivery attempt. Returns "sent", "retry" or "failed"."""
    outbound = (
        OutboundMail.objects.select_related("mailbox__team", "ticket_message__ticket__requester")
        .filter(pk=outbound_id)
        .first()
    )
    if outbound is None or outbound.status != OutboundStatus.PENDING:
        return ""
    message = outbound.ticket_message
    if not message.ticket.requester.email:
        _finish(outbound, OutboundStatus.FAILED, "the requester has no email address")
        return "failed"
    try:
        email = build(outbound)
        provider_id = send(outbound.mailbox, email)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        attempts = outbound.attempts + 1
        OutboundMail.objects.filter(pk=outbound.pk).update(attempts=attempts, last_error=error)
        if permanent_failure(exc) or attempts > len(RETRY_DELAYS):
            log.warning("reply delivery failed for good outbound=%s error=%s", outbound.pk, error)
            _finish(outbound, OutboundStatus.FAILED, error)
            return "failed"
        delivery_actions.set_delivery_status(
            actor=OUTBOUND_ACTOR, message=message, status=DeliveryStatus.QUEUED, error=f"attempt {attempts}: {error}"
        )
        from helpline.mail.tasks import send_reply

        schedule_retry(send_reply, outbound.pk, RETRY_DELAYS[attempts - 1])
        return "retry"
    OutboundMail.objects.filter(pk=outbound.pk).update(
        status=OutboundStatus.SENT,
        attempts=outbound.attempts + 1,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=provider_id,
    )
    delivery_actions.set_delivery_status(
        actor=OUTBOUND_ACTOR, message=message, status=DeliveryStatus.SENT, external_id=outbound.message_id
    )
    return "sent"


def send(box: Mailbox, email: EmailMessage) -> str:
    """Hand a built message to the mailbox's SMTP server, or (without SMTP settings) to the desk's
    email backend, e.g. an email service provider through django-anymail. Returns the provider's
    message id when there is one."""
    if box.smtp_host:
        recipients = [
            a.addr_spec for header in ("To", "Cc") for a in (email[header].addresses if email[header] else ())
        ]
        with smtp.connect(box) as conn:
            conn.send_message(email, from_addr=box.email_address, to_addrs=recipients)
        return ""
    message = as_django_message(email)
    get_connection(fail_silently=False).send_messages([message])
    status = getattr(message, "anymail_status", None)
    if status is None:
        return ""
    ids = [status.message_id] if status.message_id else [r.message_id for r in status.recipients.values()]
    return next((str(i) for i in ids if i), "")


PASSED_HEADERS = (
    "Message-ID",
    "Date",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Helpline-Ticket",
    "X-Helpline-Loop",
)


def as_django_message(email: EmailMessage) -> EmailMultiAlternatives:
    """The same message as Django's email classes carry it (what other email backends take)."""

    def addresses(header: str) -> list[str]:
        return [str(a) for a in email[header].addresses] if email[header] else []

    plain = email.get_body(("plain",))
    html = email.get_body(("html",))
    message = EmailMultiAlternatives(
        subject=str(email["Subject"]),
        body=plain.get_content() if plain is not None else "",
        from_email=str(email["From"]),
        to=addresses("To"),
        cc=addresses("Cc"),
        reply_to=addresses("Reply-To"),
        headers={name: str(email[name]) for name in PASSED_HEADERS if email[name]},
    )
    if html is not None:
        message.attach_alternative(html.get_content(), "text/html")
    for part in email.iter_attachments():
        message.attach(part.get_filename(), part.get_content(), part.get_content_type())
    return message


def _finish(outbound: OutboundMail, status: str, error: str) -> None:
    OutboundMail.objects.filter(pk=outbound.pk).update(status=status, last_error=error)
    delivery_actions.set_delivery_status(
        actor=OUTBOUND_ACTOR, message=outbound.ticket_message, status=DeliveryStatus.FAILED, error=error
    )


def schedule_retry(task: Task[Any, Any], object_id: int, delay: int) -> None:
    """Run `task(object_id)` again after `delay` seconds (at once on a backend without delays)."""
    if task.get_backend().supports_defer:
        task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(object_id)
    else:  # immediate backend (tests): the next attempt runs at once
        task.enqueue(object_id)


def settle_attempt(row: Any, exc: Exception | None, *, retry: Task[Any, Any], retry_id: int, label: str) -> str:
    """Record one delivery attempt of an outbound row that keeps its own `attempts`, `last_error`,
    `status` and `sent_at` (acknowledgements, agent notifications): sent; or failed, and then
    retried with the backoff of RETRY_DELAYS (`retry(retry_id)`) unless the failure is permanent or
    the attempts are used up (then through `actions.fail_delivery`, which shows a failed
    acknowledgement on its ticket's page at once). Returns "sent", "retry" or "failed"."""
    manager = type(row).objects
    attempts = row.attempts + 1
    if exc is None:
        manager.filter(pk=row.pk).update(
            status=OutboundStatus.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
        )
        return "sent"
    error = f"{type(exc).__name__}: {exc}"[:1000]
    if permanent_failure(exc) or attempts > len(RETRY_DELAYS):
        from helpline.mail.actions import fail_delivery

        log.warning("%s failed for good error=%s", label, error)
        fail_delivery(actor=OUTBOUND_ACTOR, row=row, error=error, attempts=attempts)
        return "failed"
    manager.filter(pk=row.pk).update(attempts=attempts, last_error=error, status=OutboundStatus.PENDING)
    schedule_retry(retry, retry_id, RETRY_DELAYS[attempts - 1])
    return "retry"
