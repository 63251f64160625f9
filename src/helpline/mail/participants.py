"""The people of an email conversation besides the requester: whoever was in To/Cc of a customer's
mail (other than our own mailboxes) or wrote into the ticket from their own address. Agents'
replies copy them (Cc), as a mail client's "reply all" would."""

from __future__ import annotations

from email.utils import formataddr

from helpline.customers.models import Customer, CustomerIdentity
from helpline.mail.models import Participant
from helpline.mail.parsing import ParsedMail
from helpline.mail.tokens import base_address
from helpline.tickets.models import Ticket

MAX_PARTICIPANTS = 20


def keep(*, ticket: Ticket, mail: ParsedMail, sender: Customer, own_addresses: set[str]) -> list[str]:
    """Record the conversation's other people (called inside the message's transaction); no
    query at all for the usual mail that names nobody but the requester and us. People an agent
    dropped are known rows too, so they are not added back."""
    own = {base_address(a) for a in own_addresses}
    sender_address = (mail.from_address or "").strip().lower()
    wanted: dict[str, Customer | None] = {}
    for address in [sender_address, *mail.to, *mail.cc]:
        email = (address or "").strip().lower()
        if "@" not in email or email in wanted or base_address(email) in own:
            continue
        if email == sender_address and sender.pk == ticket.requester_id:
            continue
        wanted[email] = sender if email == sender_address else None
    if not wanted:
        return []
    known = set(CustomerIdentity.objects.filter(customer_id=ticket.requester_id).values_list("value", flat=True))
    known |= set(Participant.objects.filter(ticket=ticket, email__in=wanted).values_list("email", flat=True))
    rows = [Participant(ticket=ticket, email=e, customer=c) for e, c in wanted.items() if e not in known]
    Participant.objects.bulk_create(rows[:MAX_PARTICIPANTS], ignore_conflicts=True)
    return [row.email for row in rows[:MAX_PARTICIPANTS]]


def cc_addresses(ticket: Ticket) -> list[str]:
    """Who an agent's reply copies, with display names where we know the person."""
    requester = (ticket.requester.email or "").lower()
    rows = Participant.objects.filter(ticket=ticket, dropped_at__isnull=True).select_related("customer")
    rows = rows[:MAX_PARTICIPANTS]
    return [
        formataddr((row.customer.name if row.customer else "", row.email)) for row in rows if row.email != requester
    ]
