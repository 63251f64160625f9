"""Writes started from the public portal: a web-form request, a sign-in link request and the
signed-in customer's own profile.

Customers are never agents: the web form resolves (or creates) the customer behind the email
address and opens the ticket as that customer. Emails leave through tasks enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, Customer, CustomerIdentity, IdentityKind
from helpline.portal import rate_limits, tasks
from helpline.portal.branding import supported_language
from helpline.tickets import actions as ticket_actions
from helpline.tickets.attachments import IncomingFile, check_file
from helpline.tickets.models import Ticket

REQUEST_SCOPE = "request"
SIGN_IN_SCOPE = "sign-in"


def submit_request(
    *,
    name: str,
    email: str,
    subject: str,
    message: str,
    attachments: Sequence[IncomingFile] = (),
    language: str = "",
    ip_address: str | None = None,
    ticket_type: str = "",
    tags: Sequence[str] = (),
    scope: str = REQUEST_SCOPE,
) -> Ticket:
    """Open a ticket from the public web form and email the customer its number and a link.
    `scope` names the rate-limit bucket (the feedback form has its own).

    Refuses over-eager senders (per address and per email) and bad attachments before anything is
    written; the customer and the ticket are written in one transaction."""
    email_value = customer_actions.normalize_identity(IdentityKind.EMAIL, email)
    rate_limits.check_and_count(scope, ip_address=ip_address, email=email_value)
    for incoming in attachments:
        check_file(incoming)  # nothing reaches the database or the disk if one file is refused
    language = supported_language(language) or ""
    with transaction.atomic():
        customer, _created = customer_actions.resolve_customer(
            kind=IdentityKind.EMAIL, value=email_value, name=name, language=language, channel=Channel.WEB
        )
        ticket = ticket_actions.open_ticket(
            actor=Actor.of_customer(customer),
            requester=customer,
            subject=subject,
            body_text=message,
            channel=Channel.WEB,
            attachments=attachments,
            ticket_type=ticket_type,
            tags=tags,
        )
        ticket_id = ticket.pk
        transaction.on_commit(lambda: tasks.send_request_confirmation.enqueue(ticket_id, email_value, language))
    return ticket


def request_sign_in_link(*, email: str, language: str = "", ip_address: str | None = None) -> None:
    """Email a sign-in link when the address belongs to a customer. Says nothing either way, so
    the answer never tells whether an address is known; rate limited like the web form."""
    rate_limits.check_and_count(SIGN_IN_SCOPE, ip_address=ip_address, email=email.strip().lower())
    email_value = customer_actions.normalize_identity(IdentityKind.EMAIL, email)
    identity = (
        CustomerIdentity.objects.select_related("customer").filter(kind=IdentityKind.EMAIL, value=email_value).first()
    )
    if identity is None:
        return
    customer = identity.customer
    while customer.merged_into_id and customer.merged_into is not None:
        customer = customer.merged_into
    customer_id = customer.pk
    language = supported_language(language) or ""
    transaction.on_commit(lambda: tasks.send_sign_in_link.enqueue(customer_id, email_value, language))


def save_profile(
    *,
    customer: Customer,
    name: str,
    language: str,
    time_zone: str,
    greeting_attribute: str = "",
    greetings_opt_in: bool = False,
    special_date: dt.date | None = None,
) -> Customer:
    """The signed-in customer's own profile: name, language, time zone and, when the desk sends
    greetings (`greeting_attribute` names the date's attribute), their opt-in and date. One transaction."""
    actor = Actor.of_customer(customer)
    with transaction.atomic():
        customer_actions.update_customer(
            actor=actor, customer=customer, name=name.strip()[:200], language=language, time_zone=time_zone.strip()
        )
        if greeting_attribute:
            customer_actions.set_special_date_greeting(
                actor=actor,
                customer=customer,
                opted_in=greetings_opt_in,
                date_attribute=greeting_attribute,
                date=special_date,
            )
    return customer
