"""The email channel takes delivery of agent replies on email tickets over from the portal, emails
agents about their tickets, and polls IMAP mailboxes periodically."""

from __future__ import annotations

import logging

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_WORKER_HOOK
from helpline.core.periodic import PERIODIC_JOBS_HOOK, PeriodicJob
from helpline.mail.outbound import claim
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets.models import Message, TicketEvent

log = logging.getLogger("helpline.mail.notifications")


@hooks.register(OUTBOUND_CLAIM_HOOK)
def claim_email_reply(message: Message) -> bool:
    return claim(message)


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def notify_agents(event: TicketEvent) -> None:
    from helpline.mail.agent_notifications import queue_for_event

    try:
        queue_for_event(event)
    except Exception:  # a notification never affects the ticket
        log.exception("agent notifications failed for event %s", event.pk)


@hooks.register(PERIODIC_JOBS_HOOK)
def periodic_jobs() -> list[PeriodicJob]:
    """IMAP mailboxes are polled without an extra process (each at its own interval)."""
    from helpline.mail.polling import EVERY

    return [PeriodicJob("mail.poll", "helpline.mail.tasks.poll_mailboxes", EVERY)]
