"""The public "contact us" form: feedback and complaints become tickets like any web request.

A complaint opens a ticket of type complaint; feedback (praise, suggestions) has no ticket type of
its own and is told apart by its tag. Both are rate limited and confirmed by email like the
request form.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, IdentityKind
from helpline.portal import rate_limits, tasks
from helpline.portal.branding import supported_language
from helpline.tickets import actions as ticket_actions
from helpline.tickets.attachments import IncomingFile, check_file
from helpline.tickets.models import Ticket, TicketType

FEEDBACK_SCOPE = "feedback"


class FeedbackKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback or a suggestion")
    COMPLAINT = "complaint", _("A complaint")


TICKET_TYPE = {FeedbackKind.FEEDBACK: "", FeedbackKind.COMPLAINT: TicketType.COMPLAINT}


def submit_feedback(
    *,
    kind: str,
    name: str,
    email: str,
    subject: str,
    message: str,
    attachments: Sequence[IncomingFile] = (),
    language: str = "",
    ip_address: str | None = None,
) -> Ticket:
    """Open the ticket (tagged `feedback` or `complaint`) as the customer behind the email address."""
    chosen = FeedbackKind(kind)
    email_value = customer_actions.normalize_identity(IdentityKind.EMAIL, email)
    rate_limits.check_and_count(FEEDBACK_SCOPE, ip_address=ip_address, email=email_value)
    for incoming in attachments:
        check_file(incoming)
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
            ticket_type=TICKET_TYPE[chosen],
            tags=[chosen.value],
            attachments=attachments,
            language=language,
        )
        ticket_id = ticket.pk
        transaction.on_commit(lambda: tasks.send_request_confirmation.enqueue(ticket_id, email_value, language))
    return ticket
