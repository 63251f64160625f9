"""The people of an email conversation besides the requester: whoever was in To/Cc of a customer's
mail (other than our own mailboxes) or wrote into the ticket from their own address. Agents'
replies copy them (Cc), as a mail client's "reply all" would."""

from __future__ import annotations

from email.utils import formataddr

from helpline.customers.models import Customer
from helpline.mail.models import Participant
from helpline.mail.parsing import ParsedMail
from helpline.mail.tokens import base_address
from helpline.tickets.models import Ticket

MAX_PARTICIPANTS = 20


def keep(*, ticket: Ticket, mail: ParsedMail, sender: Customer, own_addresses: set[str]) -> list[str]:
    """Record the conversation's other people (called inside the message's transaction)."""
    requester = (ticket.requester.email or "").lower()
    own = {base_address(a) for a in own_addresses}
    candidates = [mail.from_address, *mail.to, *mail.cc]
    seen: set[str] = set()
    added = []
    for address in candidates:
        email = (address or "").strip().lower()
        if "@" not in email or email in seen or email == requester or base_address(email) in own:
            continue
        seen.add(email)
        customer = sender if email == mail.from_address.lower() else None
        _row, created = Participant.objects.get_or_create(ticket=ticket, email=email, defaults={"customer": customer})
        if created:
            added.append(email)
    return added


def cc_addresses(ticket: Ticket) -> list[str]:
    """Who an agent's reply copies, with display names where we know the person."""
    requester = (ticket.requester.email or "").lower()
    rows = Participant.objects.filter(ticket=ticket).select_related("customer")[:MAX_PARTICIPANTS]
    return [
        formataddr((row.customer.name if row.customer else "", row.email)) for row in rows if row.email != requester
    ]
