"""Live chat takes delivery of agents' replies on chat tickets while the visitor has the widget open
(the reply reaches them through the ticket's realtime group); otherwise the portal emails it, so a
chat continues by email once the visitor has left. It also follows chat tickets entering and leaving
the queue (waiting widgets move up; waiting chats go to agents who have room)."""

from __future__ import annotations

from helpline.chat import presence, selectors
from helpline.chat.actions import CHAT_ACTOR
from helpline.chat.groups import QUEUE_GROUP, visitor_group
from helpline.chat.models import Conversation
from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.core.realtime import send_to_group
from helpline.customers.merge_suggestions import CLAIMED_ADDRESSES_HOOK, ClaimedAddress
from helpline.customers.models import Channel, Customer, CustomerIdentity, IdentityKind
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets import delivery_actions
from helpline.tickets.models import ACTIVE_STATUSES, DeliveryStatus, EventKind, Message, Ticket, TicketEvent


@hooks.register(OUTBOUND_CLAIM_HOOK)
def claim_chat_reply(message: Message) -> bool:
    ticket = message.ticket
    if ticket.channel != Channel.CHAT:
        return False
    visitors = list(Conversation.objects.filter(ticket=ticket).values_list("visitor_id", flat=True))
    if not visitors:
        return False
    live = any(presence.visitor_online(v) for v in visitors)
    if not live and ticket.requester.email:
        return False  # the visitor left: the reply goes out by email
    delivery_actions.set_delivery_status(
        actor=CHAT_ACTOR,
        message=message,
        status=DeliveryStatus.SENT if live else DeliveryStatus.QUEUED,
        error="" if live else "the visitor is away and left no email; shown when they come back",
    )
    return True


_QUEUE_KINDS = (EventKind.CREATED, EventKind.ASSIGNEE_CHANGED, EventKind.STATUS_CHANGED, EventKind.TAGS_CHANGED)


def vip_tag_changed(event: TicketEvent, ticket: Ticket) -> bool:
    """The "vip" tag went on or off a waiting chat: its place (and others') changed."""
    if event.kind != EventKind.TAGS_CHANGED or ticket.assignee_id is not None or not _active(ticket.status):
        return False
    return ("vip" in (event.before or [])) != ("vip" in (event.after or []))


def _active(status: object) -> bool:
    return status in ACTIVE_STATUSES


def queue_delta(event: TicketEvent, ticket: Ticket) -> int:
    """-1 when this change took the chat out of the queue (an agent took it, or it ended while
    waiting), +1 when it put it back (unassigned, or reopened while nobody has it) or when a VIP
    customer's new chat went in ahead of others, else 0 (a new chat joining at the end moves nobody)."""
    if event.kind == EventKind.CREATED:
        waiting = ticket.assignee_id is None and _active(ticket.status)
        return 1 if waiting and selectors.queue_key(ticket)[0] == 0 else 0
    if event.kind == EventKind.ASSIGNEE_CHANGED and _active(ticket.status):
        if event.before is None and event.after is not None:
            return -1
        if event.before is not None and event.after is None:
            return 1
    if event.kind == EventKind.STATUS_CHANGED and ticket.assignee_id is None:
        if _active(event.before) and not _active(event.after):
            return -1
        if not _active(event.before) and _active(event.after):
            return 1
    return 0


def frees_an_agent(event: TicketEvent) -> bool:
    if event.kind == EventKind.ASSIGNEE_CHANGED:
        return event.before is not None
    return _active(event.before) and not _active(event.after)


@hooks.register(TICKET_EVENT_HOOK)
def chat_queue_moved(event: TicketEvent) -> None:
    """Tell waiting widgets that the queue moved, and give waiting chats to an agent who has room."""
    if event.kind not in _QUEUE_KINDS:
        return  # cheap exit for every other event (no query)
    ticket = event.ticket
    if ticket.channel != Channel.CHAT:
        return
    if vip_tag_changed(event, ticket):
        recount = {"type": "chat.queue", "ticket": ticket.public_id, "recount": True}
        send_to_group(QUEUE_GROUP, recount)  # every waiting widget counts its place again
        for visitor in Conversation.objects.filter(ticket=ticket).values_list("visitor_id", flat=True):
            send_to_group(visitor_group(visitor), recount)
        return
    delta = queue_delta(event, ticket) if event.kind != EventKind.TAGS_CHANGED else 0
    if delta:
        rank, at, pk = selectors.queue_key(ticket)
        moved = {"type": "chat.queue", "ticket": ticket.public_id, "rank": rank, "at": at, "pk": pk, "delta": delta}
        send_to_group(QUEUE_GROUP, moved)  # the widgets waiting in the queue
        for visitor in Conversation.objects.filter(ticket=ticket).values_list("visitor_id", flat=True):
            send_to_group(visitor_group(visitor), moved)  # this chat's own widgets, waiting or not
    if frees_an_agent(event) and selectors.waiting_chats().exists():
        from helpline.chat.tasks import route_chats

        route_chats.enqueue()


@hooks.register(CLAIMED_ADDRESSES_HOOK)
def chat_claimed_emails(customer: Customer) -> list[ClaimedAddress]:
    """Emails typed into the widget (pre-chat or offline form) that belong to another customer, both
    ways: this customer's visitors typed someone else's address, or someone's visitor typed ours."""
    typed = set(Conversation.objects.filter(customer=customer).exclude(email="").values_list("email", flat=True))
    found = [
        ClaimedAddress(other=identity.customer, kind=IdentityKind.EMAIL, value=identity.value)
        for identity in CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, value__in=typed)
        .exclude(customer=customer)
        .select_related("customer")
    ]
    own = customer.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True)
    found += [
        ClaimedAddress(other=conversation.customer, kind=IdentityKind.EMAIL, value=conversation.email)
        for conversation in Conversation.objects.filter(email__in=own, customer__isnull=False)
        .exclude(customer=customer)
        .select_related("customer")
        if conversation.customer is not None
    ]
    return found
