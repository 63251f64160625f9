"""Workflow subscribers of ticket events: SLA clocks first, then routing, then automations.
Each part is guarded on its own, so a failure in one never keeps the others from running."""

from __future__ import annotations

import datetime as dt
import logging

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_WORKER_BATCH_HOOK, TICKET_EVENT_WORKER_HOOK
from helpline.core.periodic import PERIODIC_JOBS_HOOK, PeriodicJob
from helpline.portal.notifications import OUTBOUND_CLAIM_HOOK
from helpline.tickets.models import EventKind, Message, MessageKind, Status, TicketEvent
from helpline.workflow import engine, scheduling, sla_events
from helpline.workflow.models import Trigger
from helpline.workflow.rule_cache import active_rules

log = logging.getLogger("helpline.workflow")

DONE = (Status.SOLVED, Status.CLOSED)
NOT_UPDATES = {EventKind.CREATED, EventKind.MESSAGE_ADDED, EventKind.DELIVERY_CHANGED, EventKind.MERGED_FROM}


def trigger_for(event: TicketEvent) -> str | None:
    if event.kind == EventKind.CREATED:
        return Trigger.TICKET_CREATED
    if event.kind == EventKind.MESSAGE_ADDED:
        if event.data.get("kind") != MessageKind.INBOUND:
            return None
        if event.created_at == event.ticket.created_at:
            return None  # the message that opened the ticket: "ticket created" covers it
        return Trigger.MESSAGE_RECEIVED
    if event.kind in NOT_UPDATES:
        return None
    return Trigger.TICKET_UPDATED


@hooks.register(TICKET_EVENT_WORKER_BATCH_HOOK)
def start_sla_clocks(events: list[TicketEvent]) -> None:
    sla_events.start_new_tickets(events)


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def keep_sla_clocks(event: TicketEvent) -> None:
    if sla_events.apply_event(event):  # the clocks' due moments may have moved: sweep then
        scheduling.schedule_sweep_for_ticket(event.ticket_id)
    scheduling.schedule_time_rules_for_event(event.kind, event.ticket_id)


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def route_tickets(event: TicketEvent) -> None:
    from helpline.workflow.routing import fill_capacity, route_new_ticket

    if event.kind == EventKind.CREATED:
        route_new_ticket(event)
    elif event.kind == EventKind.STATUS_CHANGED and event.after in DONE and event.ticket.assignee is not None:
        fill_capacity(event.ticket.assignee, now=event.created_at)


@hooks.register(TICKET_EVENT_WORKER_HOOK)
def run_automations(event: TicketEvent) -> None:
    trigger = trigger_for(event)
    if trigger is None:
        return
    if not active_rules(trigger):
        return  # nothing to evaluate: no need to read the opening message
    message = event.message if event.message_id else None
    if trigger == Trigger.TICKET_CREATED:
        message = event.ticket.messages.order_by("created_at", "id").first()
    engine.run_rules(trigger, event.ticket_id, now=event.created_at, event=event, message=message)


@hooks.register("survey_answered")
def run_survey_automations(payload: dict) -> None:
    """A CSAT answer (from helpline.surveys) runs the "survey answered" rules of its ticket, with
    the rating, the rating before it (None for a first answer) and the comment as facts."""
    from django.utils import timezone

    survey = payload.get("survey")
    ticket_id = getattr(survey, "ticket_id", None)
    if payload.get("kind") != "csat" or survey is None or ticket_id is None:
        return
    facts = {
        "survey.rating": survey.rating,
        "survey.previous_rating": payload.get("previous"),
        "survey.comment": survey.comment or "",
    }
    engine.run_rules(Trigger.SURVEY_ANSWERED, ticket_id, now=timezone.now(), extra_facts=facts)


@hooks.register(OUTBOUND_CLAIM_HOOK)
def claim_sms_confirmation(message: Message) -> bool:
    """Call confirmations marked for SMS leave by the SMS adapter, not the email fallback."""
    from helpline.workflow.sms_delivery import claim

    return claim(message)


@hooks.register(PERIODIC_JOBS_HOOK)
def periodic_jobs() -> list[PeriodicJob]:
    """The hourly sweep catches whatever no delayed task was stored for: greetings (from 09:00 in
    each customer's zone), follow-up reminders, time rules added after their anchor moved."""
    return [PeriodicJob("workflow.sweep", "helpline.workflow.tasks.sweep_due_work", dt.timedelta(hours=1))]
