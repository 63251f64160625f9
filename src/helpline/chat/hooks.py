"""Live chat takes delivery of agents' replies on chat tickets while the visitor has the widget open
(the reply reaches them through the ticket's realtime group); otherwise the portal emails it, so a
chat continues by email once the visitor has left."""

from __future__ import annotations

from helpline.chat import presence
from helpline.chat.actions import CHAT_ACTOR
from helpline.chat.models import Conversation
from helpline.core import hooks
from helpline.customers.models import Channel
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message


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
