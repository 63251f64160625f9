"""Mail to a mailbox from one of our agents (the address of their account).

An agent answering a notification email writes to the ticket's team, not to the customer: their
mail is added to the ticket as their internal note (never as a customer's message, never sent on,
and the agent is not made a customer nor copied on replies); their out-of-office answers are
ignored. A customer's mail an agent forwards to their own forward address at a mailbox
(`tokens.forward_address`, on their profile page; inline or attached: `forwards`) opens a ticket
for that customer, with the agent's words above it as their note. Both need something only the
agent has (the notification's Message-ID, the signed forward address): a sender address is easily
forged. Other agent mail, and mail on a ticket the agent requested, goes on as anyone's: an agent
can be a requester too (an internal help desk).
"""

from __future__ import annotations

import re

from helpline.accounts.models import User
from helpline.core import batching
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, CustomerIdentity, IdentityKind
from helpline.mail import content, forwards, loops, selectors, threads
from helpline.mail.models import RawMessage, RawStatus
from helpline.mail.parsing import ParsedMail
from helpline.mail.tokens import forwarding_agent
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
    ticket = threads.agent_ticket(mail, agent.pk)
    if ticket is None:
        if not any(forwarding_agent(address) == agent.pk for address in mail.recipients):
            return False  # not to their own forward address: not a forward we can trust to be theirs
        forwarded = forwards.original(mail)
        if (
            forwarded is None
            or forwarded.address in selectors.own_addresses()
            or forwarded.address in agent_addresses()
        ):
            return False  # not about a ticket nor a customer's mail: the agent's own request, as anyone's
        return _open_forwarded(row, mail, agent, forwarded)
    if _requester_is(ticket, mail.from_address):
        return False  # a ticket the agent requested: their mail is a customer's
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


def _open_forwarded(row: RawMessage, mail: ParsedMail, agent: User, forwarded: forwards.Forwarded) -> bool:
    """A ticket for the customer whose mail the agent forwarded: their mail is its first message
    (theirs, not the agent's), what the agent wrote above it the agent's internal note. Not
    acknowledged: the customer wrote to the agent, not to the desk."""
    from helpline.mail.ingest import MAIL_ACTOR

    customer, _created = customer_actions.resolve_customer(
        kind="email", value=forwarded.address, name=forwarded.name, channel=Channel.EMAIL
    )
    inner = ParsedMail(message_id=mail.message_id, text=forwarded.text, attachments=forwarded.attachments)
    body = content.build_body(inner)
    meta = {"email": content.email_meta(mail, body, mailbox_id=row.mailbox_id, raw_id=row.pk, auto="")}
    meta["email"].update(forwarded_by=agent.pk, original_from=forwarded.address)
    ticket = ticket_actions.open_ticket(
        actor=MAIL_ACTOR,
        requester=customer,
        subject=forwarded.subject or _without_forward_prefix(mail.subject) or "(no subject)",
        team=row.mailbox.team,
        **content.message_fields(mail, body, meta),
    )
    message = ticket.messages.order_by("id").first()
    if message is not None:
        content.link_message_images(message)
    if forwarded.comment:
        ticket_actions.add_message(
            actor=Actor.of_agent(agent), ticket=ticket, kind=MessageKind.NOTE, body_text=forwarded.comment
        )
    row.ticket, row.ticket_message = ticket, message
    row.status, row.outcome = RawStatus.PROCESSED, "new_ticket"
    return True


_FORWARD_PREFIX = re.compile(r"^\s*((fwd?|fw|wg|tr|rv|enc|пересл|ред)\s*:\s*)+", re.IGNORECASE)


def _without_forward_prefix(subject: str) -> str:
    return _FORWARD_PREFIX.sub("", subject or "").strip()
