"""Report settings and the business-time index.

`BusinessInterval` rows are a derived, rebuildable index of each business calendar's working
intervals with a running total, so durations in business time are computed in SQL (see
`business_time`). `ReportSettings` holds the workspace's report policy (one row), `WeeklyReportRun`
one row per weekly report slot (claimed once), `CustomerSegment` saved customer filters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id


class BusinessIntervalSpan(models.Model):
    """Which stretch of time a calendar's intervals cover, and for which version of its hours."""

    calendar = models.OneToOneField("workflow.BusinessCalendar", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)


class BusinessInterval(models.Model):
    """One working interval [start, end) in UTC; `cum_seconds` is the working time before it."""

    calendar = models.ForeignKey("workflow.BusinessCalendar", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    length_seconds = models.FloatField()
    cum_seconds = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["calendar", "start"], name="business_interval_cal_start")]


class ReportSettings(models.Model):
    """The workspace's report policy: who sees the leaderboard, and the weekly report by email."""

    leaderboard_for_agents = models.BooleanField(_("agents see the leaderboard"), default=False)
    weekly_enabled = models.BooleanField(_("send the weekly report"), default=False)
    weekly_recipients = models.TextField(_("recipients (one email address a line)"), blank=True)
    weekly_weekday = models.PositiveSmallIntegerField(_("day"), default=0)  # 0 = Monday
    weekly_hour = models.PositiveSmallIntegerField(_("hour"), default=7)
    weekly_time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    weekly_language = models.CharField(_("language"), max_length=10, default="en")
    weekly_last_sent_at = models.DateTimeField(null=True, blank=True)
    # The slot the stored task chain is waiting for; a queued run for any other slot is stale.
    weekly_next_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def recipients(self) -> list[str]:
        return [line.strip() for line in self.weekly_recipients.splitlines() if line.strip()]


class WeeklyRunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WeeklyReportRun(models.Model):
    """One weekly report slot, claimed before its mail goes: the unique slot and a conditional
    status change make the report go out once per slot however many tasks or workers run it."""

    slot = models.DateTimeField(unique=True)
    status = models.CharField(max_length=10, choices=WeeklyRunStatus.choices, default=WeeklyRunStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-slot"]


class CustomerSegment(models.Model):
    """A saved customer filter, shared by the workspace and shown on the customers list.

    `filters` keys (each optional): tag, language, organization (public id), channel, csat
    ("satisfied", "dissatisfied", "unrated"), active_days, inactive_days (see `segments`)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
