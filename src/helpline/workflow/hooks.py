"""Workflow subscribers of ticket events: SLA clocks first, then automations and routing."""

from __future__ import annotations

import logging

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.tickets.models import TicketEvent
from helpline.workflow import scheduling, sla_events

log = logging.getLogger("helpline.workflow")


@hooks.register(TICKET_EVENT_HOOK)
def on_ticket_event(event: TicketEvent) -> None:
    sla_events.apply_event(event)
    scheduling.schedule_sweep_for_ticket(event.ticket_id)
