"""The written definition of every KPI, shown on the report page next to its figure."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "created": (_("Tickets opened"), _("Tickets opened in the period (merged tickets are not counted).")),
    "solved": (_("Tickets solved"), _("Tickets whose latest solve falls in the period.")),
    "csat": (
        _("CSAT"),
        _("Share of satisfaction answers given in the period that rated 4 or 5 out of 5."),
    ),
    "nps": (
        _("NPS"),
        _(
            "Net Promoter Score of NPS answers given in the period: % promoters (9–10) minus % detractors (0–6), "
            "from −100 to 100."
        ),
    ),
    "frt": (
        _("First response time"),
        _(
            "For tickets opened in the period that got an agent reply: time from opening to the first public "
            "reply. Median and 90th percentile (nearest rank), calendar time."
        ),
    ),
    "response": (
        _("Response time"),
        _(
            "For every customer message in the period that was answered: time until the next agent reply. "
            "Median and 90th percentile, calendar time."
        ),
    ),
    "resolution": (
        _("Resolution time"),
        _(
            "For tickets solved in the period: time from opening to the last solve. Median and 90th percentile, calendar time."
        ),
    ),
    "frt_business": (
        _("First response time (business hours)"),
        _(
            "The first response time counted only inside working hours: the business calendar of the ticket's "
            "team, else the default calendar, without its holidays. Tickets with no calendar are left out. "
            "Median and 90th percentile."
        ),
    ),
    "response_business": (
        _("Response time (business hours)"),
        _(
            "The response time counted only inside working hours: the business calendar of the ticket's team, "
            "else the default calendar, without its holidays. Tickets with no calendar are left out. Median and "
            "90th percentile."
        ),
    ),
    "resolution_business": (
        _("Resolution time (business hours)"),
        _(
            "The resolution time counted only inside working hours: the business calendar of the ticket's team, "
            "else the default calendar, without its holidays. Tickets with no calendar are left out. Median and "
            "90th percentile."
        ),
    ),
    "fcr": (
        _("First-contact resolution"),
        _("Share of tickets solved in the period with exactly one public agent reply and never reopened."),
    ),
    "repeat": (
        _("Repeat contacts"),
        _("Share of tickets opened in the period whose customer had opened another ticket in the 7 days before."),
    ),
    "reopen": (
        _("Reopen rate"),
        _("Share of tickets solved in the period that were reopened at some point after being solved or closed."),
    ),
    "sla": (
        _("SLA compliance"),
        _("Share of SLA targets met or breached in the period that were met in time."),
    ),
    "backlog": (
        _("Backlog"),
        _("Tickets not solved or closed right now, by age since they were opened. Dates do not apply."),
    ),
    "retention": (
        _("Customer retention"),
        _(
            "Of the customers who opened a ticket in the previous period of the same length, the share who "
            "opened one in this period too. Churn is the rest."
        ),
    ),
    "loyal": (
        _("Loyal customers"),
        _(
            "Of the customers who opened a ticket in the period: those who had contacted us before the period "
            "and whose every satisfaction answer so far was 4 or 5."
        ),
    ),
    "churn": (
        _("Customer churn"),
        _(
            "Of the customers who opened a ticket in the previous period of the same length, the share who "
            "opened none in this period (100% minus retention)."
        ),
    ),
    "by_channel": (
        _("Volume by channel"),
        _("Tickets opened in the period, per channel they came in on (email, chat, web, WhatsApp, …)."),
    ),
    "by_language": (
        _("Volume by language"),
        _("Tickets opened in the period, per ticket language (detected or set by an agent)."),
    ),
    "by_type": (
        _("Volume by type"),
        _("Tickets opened in the period, per ticket type (question, incident, problem, task, feedback, complaint)."),
    ),
    "by_team": (
        _("Volume by team"),
        _("Tickets opened in the period, per team the ticket belongs to now."),
    ),
    "by_hour": (
        _("Volume by hour of day"),
        _(
            "Tickets opened in the period, per hour of the day in your time zone; the heat map splits it by "
            "day of the week."
        ),
    ),
    "csat_ratings": (
        _("Ratings"),
        _("How many satisfaction answers given in the period chose each rating from 1 to 5."),
    ),
    "leaderboard": (
        _("Agent performance"),
        _(
            "Per agent: tickets assigned to them that were solved in the period; satisfaction answers given in "
            "the period for tickets they were assigned when solved, and the share rated 4 or 5; the average "
            "first response time of their tickets opened in the period. Sorted by tickets solved, then CSAT."
        ),
    ),
}
