"""The public "contact us" form: feedback and complaints become tickets like any web request.

A complaint opens a ticket of type complaint, feedback (praise, suggestions) one of type feedback,
each tagged with its kind too. Both go through `portal.actions.submit_request` (customer
resolution, attachment checks, confirmation email) with their own rate-limit bucket.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpline.core.errors import InvalidInputError
from helpline.portal.actions import submit_request
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import Ticket, TicketType

FEEDBACK_SCOPE = "feedback"


class FeedbackKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback or a suggestion")
    COMPLAINT = "complaint", _("A complaint")


TICKET_TYPE = {FeedbackKind.FEEDBACK: TicketType.FEEDBACK, FeedbackKind.COMPLAINT: TicketType.COMPLAINT}


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
    if kind not in FeedbackKind.values:
        raise InvalidInputError(gettext("Choose feedback or a complaint."), code="invalid_kind")
    chosen = FeedbackKind(kind)
    return submit_request(
        name=name,
        email=email,
        subject=subject,
        message=message,
        attachments=attachments,
        language=language,
        ip_address=ip_address,
        ticket_type=TICKET_TYPE[chosen],
        tags=[chosen.value],
        scope=FEEDBACK_SCOPE,
    )
