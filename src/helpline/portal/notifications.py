"""Emails the portal sends to customers: request received, sign-in link, and agents' replies.

This is deliberately small and replaceable. Until a channel adapter takes over delivery (the email
channel, messaging channels), every agent reply is emailed to the requester with a magic link to
the ticket, whatever the ticket's channel. An adapter that delivers replies itself registers a
function with `@hooks.register(OUTBOUND_CLAIM_HOOK)` taking the `Message` and returning True when it
claims it; the portal then leaves that message alone.

Functions here run inside tasks (see `helpline.portal.tasks`), never in the request.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from helpline.core import hooks
from helpline.core.actors import Actor
from helpline.customers.models import Customer
from helpline.portal.auth import magic_link_url
from helpline.portal.branding import brand_name, customer_language
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket

log = logging.getLogger("helpline.portal.notifications")

OUTBOUND_CLAIM_HOOK = "outbound_claim"
EMAIL_ACTOR = Actor.system("email")


def _send(
    *, to: str, subject: str, template: str, context: dict, headers: dict[str, str], html_template: str = ""
) -> None:
    context = {**context, "brand_name": brand_name(), "site_url": settings.SITE_URL}
    body = render_to_string(template, context)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    if html_template:
        email.attach_alternative(render_to_string(html_template, context), "text/html")
    email.send()


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "helpline.localhost"
    return make_msgid(domain=domain)


def response_due_text(ticket: Ticket, customer: Customer) -> str:
    """When we aim to answer (the first-response target of the ticket's SLA), in the customer's
    time zone; "" without such a target."""
    from helpline.workflow.selectors import expected_first_response

    due = expected_first_response(ticket)
    if due is None:
        return ""
    zone = customer.time_zone or settings.TIME_ZONE
    try:
        local = due.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, local = "UTC", due.astimezone(dt.UTC)
    return f"{local:%Y-%m-%d %H:%M} ({zone})"


def send_request_confirmation(*, ticket: Ticket, email: str, language: str) -> None:
    """Tell the customer we have their request: the number and a link to follow it."""
    customer = ticket.requester
    with translation.override(customer_language(None, language, customer.language)):
        context = {
            "ticket": ticket,
            "customer": customer,
            "link": magic_link_url(customer, email, ticket),
            "response_due": response_due_text(ticket, customer),
        }
        subject = render_to_string("portal/email/request_received_subject.txt", context)
        _send(
            to=email,
            subject=subject,
            template="portal/email/request_received.txt",
            context=context,
            headers={
                "Auto-Submitted": "auto-generated",
                "Message-ID": _message_id(),
                "X-Helpline-Ticket": str(ticket.number),
            },
        )


def send_sign_in_link(*, customer: Customer, email: str, language: str) -> None:
    with translation.override(customer_language(customer, language)):
        context = {"customer": customer, "link": magic_link_url(customer, email)}
        subject = render_to_string("portal/email/sign_in_subject.txt", context)
        _send(
            to=email,
            subject=subject,
            template="portal/email/sign_in.txt",
            context=context,
            headers={"Auto-Submitted": "auto-generated", "Message-ID": _message_id()},
        )


def claimed_by_channel(message: Message) -> bool:
    return any(claim(message) for claim in hooks.get(OUTBOUND_CLAIM_HOOK))


def deliver_reply(message: Message) -> str:
    """Email an agent's reply to the requester and record the delivery status on the message.

    Returns the resulting status ("" when there was nothing to do)."""
    if message.kind != MessageKind.REPLY or message.delivery_status != DeliveryStatus.QUEUED:
        return ""  # notes are never sent; a reply already sent is not sent twice
    if claimed_by_channel(message):
        return ""
    ticket = message.ticket
    customer = ticket.requester
    email = customer.email
    if not email:
        delivery_actions.set_delivery_status(
            actor=EMAIL_ACTOR,
            message=message,
            status=DeliveryStatus.FAILED,
            error="the requester has no email address",
        )
        return DeliveryStatus.FAILED
    message_id = _message_id()
    with translation.override(customer_language(customer, ticket.language)):
        context = {
            "ticket": ticket,
            "customer": customer,
            "message": message,
            "attachments": list(message.attachments.all()),
            "link": magic_link_url(customer, email, ticket),
        }
        subject = render_to_string("portal/email/reply_subject.txt", context)
        try:
            _send(
                to=email,
                subject=subject,
                template="portal/email/reply.txt",
                html_template="portal/email/reply.html",
                context=context,
                headers={"Message-ID": message_id, "X-Helpline-Ticket": str(ticket.number)},
            )
        except Exception as exc:
            log.warning("reply email failed message=%s ticket=%s error=%s", message.public_id, ticket.number, exc)
            delivery_actions.set_delivery_status(
                actor=EMAIL_ACTOR, message=message, status=DeliveryStatus.FAILED, error=str(exc) or type(exc).__name__
            )
            return DeliveryStatus.FAILED
    delivery_actions.set_delivery_status(
        actor=EMAIL_ACTOR, message=message, status=DeliveryStatus.SENT, external_id=message_id
    )
    return DeliveryStatus.SENT
