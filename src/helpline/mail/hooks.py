"""The email channel takes delivery of agent replies on email tickets over from the portal."""

from __future__ import annotations

from helpline.core import hooks
from helpline.mail.outbound import claim
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets.models import Message


@hooks.register(OUTBOUND_CLAIM_HOOK)
def claim_email_reply(message: Message) -> bool:
    return claim(message)
