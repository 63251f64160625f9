"""The messaging channels take delivery of agents' replies on their tickets over from the portal's
email notifications."""

from __future__ import annotations

from helpline.core import hooks
from helpline.messaging.outbound import CHANNEL_PROVIDERS
from helpline.messaging.tasks import deliver_message
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets.models import Message


@hooks.register(OUTBOUND_CLAIM_HOOK)
def claim_messaging_reply(message: Message) -> bool:
    if message.ticket.channel not in CHANNEL_PROVIDERS:
        return False
    deliver_message.enqueue(message.pk)
    return True
