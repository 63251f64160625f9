"""Subscribers of surveys: send the CSAT survey when a ticket becomes solved; note bad ratings."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.core import hooks
from helpline.core.actors import Actor
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.messaging.adapters.base import Adapter, InboundMessage, SendError
from helpline.messaging.adapters.telegram import TelegramAdapter
from helpline.messaging.ingest import INBOUND_CLAIM_HOOK
from helpline.messaging.models import ChannelAccount
from helpline.surveys import channels
from helpline.surveys.actions import SURVEY_ANSWERED_HOOK
from helpline.surveys.tasks import send_csat_survey
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import EventKind, Status, Ticket, TicketEvent

log = logging.getLogger("helpline.surveys")
BACKDATED_AFTER = dt.timedelta(minutes=2)  # live actions publish within seconds of their stamp


@hooks.register(TICKET_EVENT_HOOK)
def survey_solved_ticket(event: TicketEvent) -> None:
    """Live solves only: an event stamped well before now is a replay or an import (demo data,
    migrations from another desk), and its customers must not be mailed."""
    if event.kind != EventKind.STATUS_CHANGED or event.after != Status.SOLVED:
        return
    if event.created_at < timezone.now() - BACKDATED_AFTER:
        return
    ticket_id = event.ticket_id
    transaction.on_commit(lambda: send_csat_survey.enqueue(ticket_id))


BAD_RATING_MAX = 2


@hooks.register(SURVEY_ANSWERED_HOOK)
def note_bad_rating(payload: dict[str, Any]) -> None:
    """A CSAT answer of 1 or 2 (new, or changed from a better one) leaves an internal note on the
    ticket, so the agents watching it and the automations subscribed to ticket events see it."""
    survey = payload["survey"]
    previous = payload.get("previous")
    if payload.get("kind") != "csat" or survey.rating is None or survey.rating > BAD_RATING_MAX:
        return
    if previous is not None and previous <= BAD_RATING_MAX:
        return
    text = _("The customer rated this ticket %(rating)s out of 5.") % {"rating": survey.rating}
    if survey.comment:
        text += "\n\n" + _("Their comment: %(comment)s") % {"comment": survey.comment}
    ticket = Ticket.objects.get(pk=survey.ticket_id)
    with translation.override(settings.LANGUAGE_CODE):
        ticket_actions.add_internal_note(actor=Actor.system("surveys"), ticket=ticket, body_text=text)


@hooks.register(INBOUND_CLAIM_HOOK)
def take_survey_answer(*, account: ChannelAccount, adapter: Adapter, message: InboundMessage) -> bool:
    """A pressed rating button or a bare 1–5 reply on a messaging channel answers the CSAT survey."""
    survey = channels.take_inbound_answer(
        channel=adapter.channel,
        identity_kind=adapter.identity_kind,
        sender=message.sender,
        choice=message.choice,
        text=message.text,
    )
    if survey is None:
        return False
    if isinstance(adapter, TelegramAdapter) and message.external_id.startswith("cb:"):
        try:
            adapter.answer_button(account, message.external_id.removeprefix("cb:"), channels.thanks_text(survey))
        except SendError as exc:  # the answer is saved; only the button's spinner is left running
            log.warning("answerCallbackQuery failed survey=%s error=%s", survey.public_id, exc)
    return True
