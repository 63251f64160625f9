"""Which ticket an incoming message belongs to: reply token, In-Reply-To/References, then the
ticket number in the subject (only from that ticket's requester). An agent's mail (`agent_ticket`)
threads by the notification emails sent to that agent."""

from __future__ import annotations

from helpline.customers.models import Channel, Customer
from helpline.mail.models import AgentNotification, OutboundMail, RawMessage
from helpline.mail.parsing import ParsedMail
from helpline.mail.tokens import subject_number, ticket_number_from_address
from helpline.tickets.models import Message, Ticket


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    return ticket


def find_ticket(mail: ParsedMail, customer: Customer) -> tuple[Ticket | None, str]:
    """The ticket and how it was found ("token", "references", "subject"), or (None, "")."""
    for address in [mail.reply_to, *mail.recipients]:
        number = ticket_number_from_address(address)
        if number is not None:
            ticket = Ticket.objects.filter(number=number).first()
            if ticket is not None:
                return _follow_merges(ticket), "token"
    refs = list(dict.fromkeys([*reversed(mail.in_reply_to), *reversed(mail.references)]))[:50]
    if refs:
        messages = Message.objects.filter(channel=Channel.EMAIL, external_id__in=refs).select_related("ticket")
        tickets = {m.external_id: m.ticket for m in messages}
        if refs[0] in tickets:  # the message answered directly is one of ours: nothing else to look up
            return _follow_merges(tickets[refs[0]]), "references"
        found = {external_id: ticket.pk for external_id, ticket in tickets.items()}
        found.update(
            {
                o.message_id: o.ticket_message.ticket_id
                for o in OutboundMail.objects.filter(message_id__in=refs).select_related("ticket_message")
            }
        )
        for raw in RawMessage.objects.filter(message_id__in=refs, ticket__isnull=False).only("message_id", "ticket_id"):
            if raw.ticket_id is not None:
                found.setdefault(raw.message_id, raw.ticket_id)
        for ref in refs:
            if ref in found:
                return _follow_merges(Ticket.objects.filter(pk=found[ref]).first()), "references"
    number = subject_number(mail.subject)
    if number is not None:
        ticket = Ticket.objects.filter(number=number, requester=customer).first()
        if ticket is not None:
            return _follow_merges(ticket), "subject"
    return None, ""


def agent_ticket(mail: ParsedMail, agent_id: int) -> Ticket | None:
    """The ticket of the notification email an agent's mail answers: only a notification sent to
    that agent counts (its Message-ID went to their mailbox alone), so a forged sender cannot write
    in their name; the ticket's number, its customer thread and its reply token are known to others."""
    refs = [*mail.in_reply_to, *mail.references][:50]
    if not refs:
        return None
    noted = (
        AgentNotification.objects.filter(message_id__in=refs, agent_id=agent_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
    return _follow_merges(Ticket.objects.filter(pk=noted).first()) if noted is not None else None
