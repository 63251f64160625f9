"""Business calendars, SLA policies and the per-ticket SLA clocks."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.business_hours import Calendar, Shift


class BusinessCalendar(models.Model):
    """Working hours of a team (or the whole desk when `is_default`): time zone, weekly shifts, holidays.

    `shifts` is a list of {"weekday": 0-6 (Monday = 0), "start": "HH:MM", "end": "HH:MM"}; an end not
    after the start means the shift runs past midnight. `holidays` is a list of ISO dates.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    shifts = models.JSONField(default=list, blank=True)
    holidays = models.JSONField(default=list, blank=True)
    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="business_calendar"
    )
    is_default = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def to_calendar(self) -> Calendar:
        return Calendar(
            time_zone=self.time_zone,
            shifts=tuple(
                Shift(int(s["weekday"]), dt.time.fromisoformat(s["start"]), dt.time.fromisoformat(s["end"]))
                for s in self.shifts
            ),
            holidays=frozenset(dt.date.fromisoformat(d) for d in self.holidays),
        )


class SlaPolicy(models.Model):
    """Targets for tickets that match the conditions; the first active match by position wins.

    `conditions` keys (each a list; a ticket matches when every present key matches):
    priority, channel, ticket_type, organization (public ids), tags (any of), customer_tier.
    Targets are minutes; `business_hours` measures them in the calendar's working time.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    business_hours = models.BooleanField(default=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warn_before_minutes = models.PositiveIntegerField(default=15)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, kind: str) -> int | None:
        return {
            ClockKind.FIRST_RESPONSE: self.first_response_minutes,
            ClockKind.NEXT_RESPONSE: self.next_response_minutes,
            ClockKind.RESOLUTION: self.resolution_minutes,
        }[ClockKind(kind)]


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class TicketState(models.Model):
    """Workflow facts about a ticket that the ticket itself does not keep."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_since = models.DateTimeField()
    # Rule firings since the last change made by someone other than a rule (loop protection).
    rule_chain = models.PositiveIntegerField(default=0)


class SlaClock(models.Model):
    """One SLA target of one ticket. Running while `started_at` is set; `spent` holds what
    earlier runs used (business or calendar time, per the policy); `due_at` is when it breaches."""

    # Indexed by the unique (ticket, kind) constraint, whose first column it is: a second index on
    # the ticket alone would only slow the mass rewrites of due times (`sla_due_sql`).
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks", db_index=False)
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks")
    started_at = models.DateTimeField(null=True, blank=True)
    spent = models.DurationField(default=dt.timedelta(0))
    paused = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="unique_sla_clock_ticket_kind")]
        indexes = [
            models.Index(fields=["due_at"], name="sla_clock_due", condition=models.Q(breached_at__isnull=True)),
            models.Index(fields=["warn_at"], name="sla_clock_warn", condition=models.Q(warned_at__isnull=True)),
            # Lists sort and filter by the earliest running target of each ticket.
            models.Index(
                fields=["ticket", "due_at"],
                name="sla_clock_running",
                condition=models.Q(started_at__isnull=False, met_at__isnull=True, due_at__isnull=False),
            ),
        ]

    @property
    def running(self) -> bool:
        return self.started_at is not None
