"""Mail to a mailbox from one of our agents (the address of their account).

An agent answering a notification email, or a customer's mail they were copied on, writes to the
ticket's team, not to the customer: their mail is added to its ticket as their internal note
(never as a customer's message, never sent on, and the agent is not made a customer nor copied on
replies). Their out-of-office answers to notifications are ignored. Agent mail that belongs to no
ticket, or to a ticket the agent requested, goes on as anyone's: an agent can be a requester too
(an internal help desk).
"""

from __future__ import annotations

from helpline.accounts.models import User
from helpline.core import batching
from helpline.core.actors import Actor
from helpline.customers.models import CustomerIdentity, IdentityKind
from helpline.mail import content, loops, threads
from helpline.mail.models import RawMessage, RawStatus
from helpline.mail.parsing import ParsedMail
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Ticket

AGENTS_KEY = "mail.agent_addresses"


def agent_addresses() -> dict[str, int]:
    """Active agents by the address of their account, in lower case (read once per batch)."""

    def read() -> dict[str, int]:
        found: dict[str, int] = {}
        for pk, email in User.objects.filter(is_active=True).exclude(email="").values_list("pk", "email"):
            found.setdefault(email.strip().lower(), pk)
        return found

    return batching.memo(AGENTS_KEY, read)


def agent_for(address: str) -> User | None:
    pk = agent_addresses().get((address or "").strip().lower())
    return User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None


def deliver(row: RawMessage, mail: ParsedMail, agent: User) -> bool:
    """Add `agent`'s mail to the ticket it answers as their internal note (or ignore it when it is
    an automatic answer). False when it answers no ticket: it is then processed as anyone's.
    Raises what the ticket actions refuse (an agent who may not write on that ticket)."""
    ticket = threads.agent_ticket(mail)
    if ticket is None or _requester_is(ticket, mail.from_address):
        return False  # not about a ticket, or the agent's own request: their mail is anyone's
    row.ticket = ticket
    if loops.auto_reason(mail):  # an out-of-office answer to a notification
        row.status, row.outcome = RawStatus.IGNORED, "auto_reply"
        return True
    body = content.build_body(mail)
    meta = {"email": content.email_meta(mail, body, mailbox_id=row.mailbox_id, raw_id=row.pk, auto="")}
    message = ticket_actions.add_message(
        actor=Actor.of_agent(agent), ticket=ticket, kind=MessageKind.NOTE, **content.message_fields(mail, body, meta)
    )
    content.link_message_images(message)
    row.ticket_message = message
    row.status, row.outcome = RawStatus.PROCESSED, "added"
    return True


def _requester_is(ticket: Ticket, address: str) -> bool:
    return CustomerIdentity.objects.filter(
        customer_id=ticket.requester_id, kind=IdentityKind.EMAIL, value=(address or "").strip().lower()
    ).exists()
