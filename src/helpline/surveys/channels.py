"""CSAT on the channel the ticket came from.

- email, web, portal and the rest: the one-click email (`surveys.mail`).
- live chat, Telegram, WhatsApp, Messenger, SMS: a message on the ticket, delivered by that channel's
  own outbound road (the chat socket, the messaging adapters, with their retries and delivery
  statuses). It offers 1–5 buttons (`meta.choices`: chat widget buttons, a Telegram inline keyboard,
  a WhatsApp interactive list, Messenger quick replies), says "reply with a number" and carries a
  short signed link (SMS).

Answers come back through `actions.answer_csat`, the same action as the email link: the chat
widget posts to `views.rate`; a pressed button or a bare "1"–"5" reply reaches `take_inbound_answer`
from the messaging webhook before it would become a ticket message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.customers.models import Channel, CustomerIdentity, IdentityKind
from helpline.surveys import actions
from helpline.surveys.models import CSAT_SCALE, CsatSurvey
from helpline.surveys.tokens import link_max_age, rate_url, short_survey_url
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Status

SURVEY_ACTOR = Actor.system("surveys")
BUTTON_CHANNELS = (Channel.CHAT, Channel.TELEGRAM, Channel.WHATSAPP, Channel.MESSENGER)
MESSAGE_CHANNELS = (*BUTTON_CHANNELS, Channel.SMS)
PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.WHATSAPP)
CHOICE_RE = re.compile(r"^csat:([\w-]{6,40}):(\d{1,2})$")
REPLY_RE = re.compile(r"^\s*([1-5])\s*(?:[★*⭐]+|/\s*5)?\s*[.!]?\s*$")


def delivered_as_message(channel: str) -> bool:
    return channel in MESSAGE_CHANNELS


def choice_id(survey: CsatSurvey, rating: int) -> str:
    return f"csat:{survey.public_id}:{rating}"


def invitation_text(survey: CsatSurvey) -> str:
    """The question in the survey's language (the caller sets the language)."""
    number = survey.ticket.number
    link = short_survey_url("csat", survey.public_id)
    if survey.channel in BUTTON_CHANNELS:
        return _(
            "How did we do with request #%(number)s? Tap a rating from 1 (very dissatisfied) to "
            "5 (very satisfied), or reply with the number. You can also answer here: %(link)s"
        ) % {"number": number, "link": link}
    return _(
        "How did we do with request #%(number)s? Reply with a number from 1 (very dissatisfied) to "
        "5 (very satisfied), or answer here: %(link)s"
    ) % {"number": number, "link": link}


def invitation_meta(survey: CsatSurvey) -> dict[str, Any]:
    meta: dict[str, Any] = {"survey": survey.public_id}
    if survey.channel in BUTTON_CHANNELS:
        meta["choices"] = [{"id": choice_id(survey, n), "title": f"{n} ★", "value": n} for n in reversed(CSAT_SCALE)]
        meta["choices_label"] = _("Rate us")
        meta["answer_url"] = rate_url("csat", survey.public_id)
    return meta


def send_csat_message(survey: CsatSurvey) -> None:
    """Post the invitation on the (solved) ticket as a reply; its channel delivers it."""
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        ticket_actions.add_message(
            actor=SURVEY_ACTOR,
            ticket=survey.ticket,
            kind=MessageKind.REPLY,
            body_text=invitation_text(survey),
            meta=invitation_meta(survey),
        )


# -- answers arriving on a messaging channel ---------------------------------------------------------


def _customer_ids(identity_kind: str, sender: str) -> list[int]:
    kinds = PHONE_KINDS if identity_kind in PHONE_KINDS else (identity_kind,)
    values = {sender.strip()}
    if identity_kind in PHONE_KINDS:
        values.add("+" + re.sub(r"\D", "", sender))
    ids = CustomerIdentity.objects.filter(kind__in=kinds, value__in=values).values_list(
        "customer_id", "customer__merged_into_id"
    )
    return [merged or own for own, merged in ids]


def _survey_for_choice(choice: str, customer_ids: list[int]) -> tuple[CsatSurvey | None, str]:
    match = CHOICE_RE.match(choice)
    if match is None:
        return None, ""
    survey = CsatSurvey.objects.filter(public_id=match.group(1), customer_id__in=customer_ids).first()
    return survey, match.group(2)


def _survey_awaiting_reply(channel: str, customer_ids: list[int], now: dt.datetime) -> CsatSurvey | None:
    """The customer's latest survey on this channel whose ticket is still solved, sent recently and
    not answered too long ago: only then is a bare number an answer rather than a new message."""
    open_until = now - actions.change_window()
    return (
        CsatSurvey.objects.filter(
            customer_id__in=customer_ids,
            channel=channel,
            ticket__status=Status.SOLVED,
            sent_at__gte=now - dt.timedelta(seconds=link_max_age()),
        )
        .filter(Q(first_answered_at__isnull=True) | Q(first_answered_at__gte=open_until))
        .order_by("-sent_at", "-id")
        .first()
    )


def take_inbound_answer(
    *, channel: str, identity_kind: str, sender: str, choice: str = "", text: str = "", at: dt.datetime | None = None
) -> CsatSurvey | None:
    """The survey answered by a pressed button or a "1"–"5" reply from `sender`, or None when the
    message is not a survey answer (it then becomes an ordinary ticket message)."""
    now = at or timezone.now()
    customer_ids = _customer_ids(identity_kind, sender)
    if not customer_ids:
        return None
    if choice:
        survey, value = _survey_for_choice(choice, customer_ids)
    else:
        reply = REPLY_RE.match(text or "")
        survey = _survey_awaiting_reply(channel, customer_ids, now) if reply else None
        value = reply.group(1) if reply else ""
    if survey is None:
        return None
    try:
        return actions.answer_csat(actor=Actor.of_customer(survey.customer), survey=survey, rating=value, at=now)
    except HelplineError:
        # a pressed button of a closed survey is still not a customer message; a number is one
        return survey if choice else None


def thanks_text(survey: CsatSurvey) -> str:
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        return _("Thank you! You rated us %(rating)s out of 5.") % {"rating": survey.rating}
