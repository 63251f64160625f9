"""Workflow data: calendars, SLA policies and clocks, automation rules, macros, routing, follow-ups."""

from helpline.workflow.models.sla import BusinessCalendar, ClockKind, SlaClock, SlaPolicy, TicketState

__all__ = ["BusinessCalendar", "ClockKind", "SlaClock", "SlaPolicy", "TicketState"]
