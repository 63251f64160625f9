"""The acknowledgement of a new email ticket, sent from the mailbox the customer wrote to (with
the ticket number in the subject, the reply token in Reply-To and, when an SLA sets one, the time
the first response is due), marked Auto-Submitted so other systems' auto-replies never answer
it. Without SMTP settings the portal's confirmation (the desk's default sender, same text) is
used instead."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpline.mail import smtp
from helpline.mail.models import RawMessage
from helpline.mail.tokens import reply_address
from helpline.portal.auth import magic_link_url
from helpline.portal.branding import brand_name, customer_language
from helpline.portal.notifications import response_due_text

log = logging.getLogger("helpline.mail.acknowledgement")


def send(raw_id: int) -> bool:
    raw = RawMessage.objects.select_related("mailbox__team", "ticket__requester").filter(pk=raw_id).first()
    if raw is None or raw.ticket is None or not raw.sender:
        return False
    box, ticket, customer = raw.mailbox, raw.ticket, raw.ticket.requester
    with translation.override(customer_language(customer, ticket.language)):
        context = {
            "ticket": ticket,
            "customer": customer,
            "link": magic_link_url(customer, raw.sender, ticket),
            "brand_name": brand_name(),
            "site_url": settings.SITE_URL,
            "response_due": response_due_text(ticket, customer),
        }
        subject = " ".join(render_to_string("portal/email/request_received_subject.txt", context).split())
        body = render_to_string("portal/email/request_received.txt", context)
    email = EmailMessage()
    email["From"] = formataddr((box.team.name if box.team else box.name, box.email_address))
    email["To"] = raw.sender
    email["Reply-To"] = reply_address(box.email_address, ticket.number)
    email["Subject"] = subject
    email["Message-ID"] = make_msgid(idstring="hl-ack", domain=box.email_address.rsplit("@", 1)[-1])
    email["Date"] = format_datetime(timezone.now())
    email["In-Reply-To"] = raw.message_id
    email["References"] = raw.message_id
    email["Auto-Submitted"] = "auto-replied"
    email["X-Helpline-Ticket"] = str(ticket.number)
    email["X-Helpline-Loop"] = box.email_address
    email.set_content(body)
    try:
        with smtp.connect(box) as conn:
            conn.send_message(email, from_addr=box.email_address, to_addrs=[raw.sender])
    except Exception as exc:
        log.warning("acknowledgement failed ticket=%s error=%s", ticket.number, exc)
        return False
    return True
