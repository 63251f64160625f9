"""Agents' changes to who an email conversation copies (Cc): add an address, drop someone. Each
change is one `cc_changed` ticket event; the next reply goes to the list as it then stands."""

from __future__ import annotations

from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.customers.models import Channel, CustomerIdentity, IdentityKind
from helpline.mail.models import Participant
from helpline.mail.participants import MAX_PARTICIPANTS
from helpline.mail.selectors import own_addresses
from helpline.mail.tokens import base_address
from helpline.tickets import cc_actions, permissions
from helpline.tickets.models import Ticket

__all__ = ["add_participant", "remove_participant"]


def _clean_address(value: str) -> str:
    """A bare address from what an agent typed ("Name <a@b>" or "a@b")."""
    _name, address = parseaddr((value or "").strip())
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        message = _("“%(value)s” is not an email address.") % {"value": value.strip()[:200]}
        raise InvalidInputError(message, code="cc_address") from exc
    return address


def _emails(ticket: Ticket) -> list[str]:
    return list(Participant.objects.filter(ticket=ticket, dropped_at__isnull=True).values_list("email", flat=True))


def add_participant(*, actor: Actor, ticket: Ticket, address: str) -> Participant:
    """Copy `address` on the ticket's replies from now on (no change if it is already copied)."""
    permissions.require(permissions.can_update(actor, ticket))
    if ticket.channel != Channel.EMAIL:
        raise InvalidInputError(_("Only email conversations copy people."), code="cc_not_email")
    email = _clean_address(address)
    own = {base_address(a) for a in own_addresses()}
    if base_address(email) in own:
        raise InvalidInputError(_("%(address)s is one of our own mailboxes.") % {"address": email}, code="cc_own")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        requester = CustomerIdentity.objects.filter(customer_id=ticket.requester_id, kind=IdentityKind.EMAIL)
        if requester.filter(value=email).exists():
            raise InvalidInputError(
                _("%(address)s is the requester; replies go to them anyway.") % {"address": email},
                code="cc_requester",
            )
        before = _emails(ticket)
        existing = Participant.objects.filter(ticket=ticket, email=email).first()
        if existing is not None and existing.dropped_at is None:
            return existing
        if len(before) >= MAX_PARTICIPANTS:
            raise InvalidInputError(
                _("A ticket copies at most %(count)d people.") % {"count": MAX_PARTICIPANTS}, code="cc_too_many"
            )
        if existing is not None:  # dropped earlier: copied again
            existing.dropped_at = None
            existing.save(update_fields=["dropped_at"])
            participant = existing
        else:
            identity = CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, value=email).first()
            participant = Participant.objects.create(
                ticket=ticket, email=email, customer_id=identity.customer_id if identity else None
            )
        cc_actions.record_cc_change(actor=actor, ticket=ticket, before=before, after=[*before, email])
    return participant


def remove_participant(*, actor: Actor, ticket: Ticket, participant_id: int) -> None:
    """Stop copying someone on the ticket's replies (for good: a later mail naming them does not
    add them back; an agent can)."""
    permissions.require(permissions.can_update(actor, ticket))
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        participant = Participant.objects.filter(ticket=ticket, pk=participant_id, dropped_at__isnull=True).first()
        if participant is None:
            raise NotFoundError(_("That person is not in copy on this ticket."), code="cc_not_found")
        before = _emails(ticket)
        participant.dropped_at = timezone.now()
        participant.save(update_fields=["dropped_at"])
        after = [e for e in before if e != participant.email]
        cc_actions.record_cc_change(actor=actor, ticket=ticket, before=before, after=after)
