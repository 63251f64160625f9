"""The acknowledgement of a new email ticket, sent from the mailbox the customer wrote to (with
the ticket number in the subject, the reply token in Reply-To, when an SLA sets one the time the
first response is due, and the team's signature in the customer's language), marked
Auto-Submitted so other systems' auto-replies never answer it. A mailbox without SMTP settings sends
it through the desk's email backend from the desk's default sender (as the portal's confirmation).

Either way each acknowledgement is recorded (`Acknowledgement`, with its Message-ID) before it goes out and
retried with backoff like a reply; a bounce of it marks it failed (shown on the ticket)."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpline.core.html import text_to_html
from helpline.mail import signatures
from helpline.mail.models import Acknowledgement, OutboundStatus, RawMessage
from helpline.mail.tokens import reply_address
from helpline.portal.auth import magic_link_url
from helpline.portal.branding import brand_name, customer_language
from helpline.portal.notifications import response_due_text

log = logging.getLogger("helpline.mail.acknowledgement")


def record(raw: RawMessage) -> Acknowledgement:
    """The acknowledgement of this received message, recorded once (its Message-ID is fixed before
    the first attempt, so a bounce of any attempt is matched)."""
    assert raw.ticket_id is not None
    box = raw.mailbox
    ack, _created = Acknowledgement.objects.get_or_create(
        raw=raw,
        defaults={
            "mailbox": box,
            "ticket_id": raw.ticket_id,
            "recipient": raw.sender,
            "message_id": make_msgid(idstring="hl-ack", domain=box.email_address.rsplit("@", 1)[-1]),
        },
    )
    return ack


def build(ack: Acknowledgement, raw: RawMessage) -> EmailMessage:
    box, ticket = ack.mailbox, ack.ticket
    customer = ticket.requester
    with translation.override(customer_language(customer, ticket.language)):
        context = {
            "ticket": ticket,
            "customer": customer,
            "link": magic_link_url(customer, ack.recipient, ticket),
            "brand_name": brand_name(),
            "site_url": settings.SITE_URL,
            "response_due": response_due_text(ticket, customer),
        }
        subject = " ".join(render_to_string("portal/email/request_received_subject.txt", context).split())
        body = render_to_string("portal/email/request_received.txt", context).strip("\n")
        language = translation.get_language()
    signature = signatures.for_ticket(box, ticket)  # the team's, in the customer's language
    email = EmailMessage()
    if box.smtp_host:
        email["From"] = formataddr((box.team.name if box.team else box.name, box.email_address))
    else:  # the desk's email backend sends for the desk's own sender
        email["From"] = settings.DEFAULT_FROM_EMAIL
    email["To"] = ack.recipient
    email["Reply-To"] = reply_address(box.email_address, ticket.number)
    email["Subject"] = subject
    email["Message-ID"] = ack.message_id
    email["Date"] = format_datetime(timezone.now())
    email["In-Reply-To"] = raw.message_id
    email["References"] = raw.message_id
    email["Auto-Submitted"] = "auto-replied"
    email["X-Helpline-Ticket"] = str(ticket.number)
    email["X-Helpline-Loop"] = box.email_address
    email.set_content(body + (f"\n\n-- \n{signature}" if signature else "") + "\n")
    html = text_to_html(body) + signatures.html_block(signature)
    email.add_alternative(f'<!doctype html><html lang="{language}"><body>{html}</body></html>', subtype="html")
    return email


def send(raw_id: int) -> str:
    """One delivery attempt of the acknowledgement of a received message. Returns "sent", "retry"
    or "failed" ("" when there is nothing to do)."""
    from helpline.mail.outbound import send as hand_over
    from helpline.mail.outbound import settle_attempt
    from helpline.mail.tasks import send_acknowledgement

    raw = RawMessage.objects.select_related("mailbox__team", "ticket__requester").filter(pk=raw_id).first()
    if raw is None or raw.ticket is None or not raw.sender:
        return ""
    ack = record(raw)
    if ack.status != OutboundStatus.PENDING:
        return ""
    ack.mailbox, ack.ticket = raw.mailbox, raw.ticket
    try:
        hand_over(ack.mailbox, build(ack, raw))  # the mailbox's SMTP server, else the desk's email backend
    except Exception as exc:
        failure: Exception | None = exc
    else:
        failure = None
    label = f"acknowledgement ticket={raw.ticket.number}"
    return settle_attempt(ack, failure, retry=send_acknowledgement, retry_id=raw.pk, label=label)
