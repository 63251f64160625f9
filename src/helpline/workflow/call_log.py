"""Logging a phone call on a ticket, and the confirmation the customer gets afterwards.

The call is an internal note on the phone channel whose `meta["call"]` holds the direction and the
duration. When the desk has call confirmations switched on, a reply with the ticket reference goes
to the customer in the same transaction: on the ticket's own channel when that is email or a
messaging channel, otherwise by SMS (when preferred, or when the customer has no email address, and
the customer has a phone number and an SMS account is active) or by email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.customers.models import Channel, Customer, IdentityKind
from helpline.portal.branding import customer_language
from helpline.tickets import actions as ticket_actions
from helpline.tickets import permissions
from helpline.tickets.models import Message, MessageKind, Ticket
from helpline.workflow.models import FollowUpSettings
from helpline.workflow.placeholders import render

DIRECTIONS = ("inbound", "outbound")
MAX_CALL_SECONDS = 24 * 3600
CONFIRMATION_ACTOR = Actor.system("workflow")
SMS_DELIVERY = "sms"
OWN_CHANNELS = {Channel.EMAIL, Channel.SMS, Channel.WHATSAPP, Channel.TELEGRAM, Channel.MESSENGER}


@dataclass(frozen=True)
class LoggedCall:
    note: Message
    confirmation: Message | None


def desk_settings() -> FollowUpSettings:
    return FollowUpSettings.objects.get_or_create(pk=1)[0]


def log_call(
    *,
    actor: Actor,
    ticket: Ticket,
    direction: str,
    duration_seconds: int,
    notes: str = "",
    occurred_at: dt.datetime | None = None,
) -> LoggedCall:
    """Record a phone call on `ticket` (an internal note on the phone channel) and, when switched on,
    send the customer a confirmation with the ticket reference."""
    permissions.require(permissions.can_add_note(actor, ticket))
    if direction not in DIRECTIONS:
        raise InvalidInputError(_("Say whether the customer called or you called them."), code="invalid_direction")
    if not 0 <= duration_seconds <= MAX_CALL_SECONDS:
        raise InvalidInputError(_("The call length must be between 0 and 24 hours."), code="invalid_duration")
    now = timezone.now()
    when = occurred_at or now
    if when > now:
        raise InvalidInputError(_("A call cannot be logged in the future."), code="invalid_time")
    text = (notes or "").strip()
    if len(text) > 10_000:
        raise InvalidInputError(_("The call notes are too long."), code="too_long")
    summary = (
        _("Call from the customer (%(minutes)s min).")
        if direction == "inbound"
        else _("Call to the customer (%(minutes)s min).")
    ) % {"minutes": round(duration_seconds / 60)}
    with transaction.atomic():
        note = ticket_actions.add_message(
            actor=actor,
            ticket=ticket,
            kind=MessageKind.NOTE,
            channel=Channel.PHONE,
            body_text=f"{summary}\n\n{text}" if text else summary,
            meta={"call": {"direction": direction, "duration": duration_seconds, "at": when.isoformat()}},
        )
        confirmation = _confirm(ticket=ticket, call_note=note)
    return LoggedCall(note=note, confirmation=confirmation)


def template_for(templates: dict[str, str], language: str) -> str:
    """The variant in `language`, else English, else the first one there is."""
    if not templates:
        return ""
    return templates.get(language) or templates.get("en") or next(iter(templates.values()))


def sms_route(customer: Customer, ticket: Ticket, prefer_sms: bool) -> bool:
    """Whether the confirmation goes by SMS (see the module's docstring)."""
    from helpline.messaging.models import ChannelAccount, Provider

    if ticket.channel in OWN_CHANNELS:
        return False
    if not (prefer_sms or not customer.email):
        return False
    has_phone = customer.identities.filter(kind=IdentityKind.PHONE).exists()
    return has_phone and ChannelAccount.objects.filter(provider=Provider.SMS, active=True).exists()


def _confirm(*, ticket: Ticket, call_note: Message) -> Message | None:
    config = desk_settings()
    if not config.call_confirmation_enabled:
        return None
    customer = ticket.requester
    language = customer_language(customer, ticket.language)
    body = template_for(config.call_confirmation_templates, language)
    if not body.strip():
        with translation.override(language):
            body = _("Thank you for your call. Your request is %(ref)s; quote it when you contact us.") % {
                "ref": ticket.reference
            }
    meta: dict[str, object] = {"call_confirmation": call_note.public_id}
    if sms_route(customer, ticket, config.call_confirmation_prefer_sms):
        meta["deliver_by"] = SMS_DELIVERY
    return ticket_actions.add_message(
        actor=CONFIRMATION_ACTOR,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body_text=render(body, ticket=ticket, agent=call_note.author_agent),
        meta=meta,
    )
