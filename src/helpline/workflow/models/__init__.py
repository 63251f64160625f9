"""Workflow data: calendars, SLA policies and clocks, automation rules, macros, routing, follow-ups."""

from helpline.workflow.models.follow_ups import FollowUp, FollowUpSettings, GreetingSent
from helpline.workflow.models.macros import Macro
from helpline.workflow.models.notifications import AgentNotification
from helpline.workflow.models.routing import DEFAULT_CHAT_CAPACITY, AgentRouting, Availability, Strategy, TeamRouting
from helpline.workflow.models.rules import Rule, RuleRun, TimeAnchor, Trigger
from helpline.workflow.models.sla import BusinessCalendar, ClockKind, SlaClock, SlaPolicy, TicketState

__all__ = [
    "AgentNotification",
    "AgentRouting",
    "Availability",
    "DEFAULT_CHAT_CAPACITY",
    "FollowUp",
    "FollowUpSettings",
    "GreetingSent",
    "Strategy",
    "TeamRouting",
    "BusinessCalendar",
    "ClockKind",
    "Macro",
    "Rule",
    "RuleRun",
    "SlaClock",
    "SlaPolicy",
    "TicketState",
    "TimeAnchor",
    "Trigger",
]
