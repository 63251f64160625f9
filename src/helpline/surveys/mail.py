"""Survey emails: a one-click 1–5 (CSAT) or 0–10 (NPS) row of links, in the customer's language.

Sent through Django email like the portal's notifications; functions here run inside tasks.
"""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from helpline.portal.branding import brand_name
from helpline.surveys.models import CSAT_SCALE, NPS_SCALE, CsatSurvey, NpsSurvey
from helpline.surveys.tokens import survey_url


def _send(*, to: str, template: str, context: dict, headers: dict[str, str]) -> None:
    context = {**context, "brand_name": brand_name(), "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"surveys/email/{template}_subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"surveys/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Auto-Submitted": "auto-generated",
            "Message-ID": make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "helpline.localhost"),
            **headers,
        },
    )
    email.attach_alternative(render_to_string(f"surveys/email/{template}.html", context), "text/html")
    email.send()


def send_csat_mail(survey: CsatSurvey) -> None:
    ticket = survey.ticket
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        context = {
            "ticket": ticket,
            "customer": survey.customer,
            "choices": [(n, survey_url("csat", survey.public_id, n)) for n in reversed(CSAT_SCALE)],
            "link": survey_url("csat", survey.public_id),
        }
        _send(
            to=survey.customer.email,
            template="csat",
            context=context,
            headers={"X-Helpline-Ticket": str(ticket.number)},
        )


def send_nps_mail(survey: NpsSurvey) -> None:
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        context = {
            "customer": survey.customer,
            "choices": [(n, survey_url("nps", survey.public_id, n)) for n in NPS_SCALE],
            "link": survey_url("nps", survey.public_id),
        }
        _send(to=survey.customer.email, template="nps", context=context, headers={})
