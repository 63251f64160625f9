"""Automation rules (event triggers and time-based rules) and their run log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    TICKET_UPDATED = "ticket_updated", _("Ticket updated")
    MESSAGE_RECEIVED = "message_received", _("Customer message received")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    TIME = "time", _("Time-based")


class TimeAnchor(models.TextChoices):
    STATUS_SINCE = "status_since", _("Time in current status")
    CREATED = "created_at", _("Time since created")
    UPDATED = "updated_at", _("Time since last update")
    LAST_MESSAGE = "last_message_at", _("Time since last message")
    SOLVED = "solved_at", _("Time since solved")


class Rule(models.Model):
    """When `trigger` happens and the conditions hold, perform the actions, in `position` order.

    `conditions_all` must all hold and at least one of `conditions_any` (when given); each is a
    list of {"field", "op", "value"}. `actions` is a list of {"type", ...parameters}.
    Time-based rules fire once per ticket when `anchor` is at least `delay_minutes` old.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=False)
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    anchor = models.CharField(max_length=30, choices=TimeAnchor.choices, blank=True)
    delay_minutes = models.PositiveIntegerField(null=True, blank=True)
    conditions_all = models.JSONField(default=list, blank=True)
    conditions_any = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    stop_processing = models.BooleanField(default=False)
    failure_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["trigger", "active", "position"], name="rule_trigger_active")]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One firing of a rule on a ticket. Unique per (rule, ticket, anchor): a time-based rule or an
    event chain claims its row first, so the same work is never done twice."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    anchor_at = models.DateTimeField()
    ran_at = models.DateTimeField()
    ok = models.BooleanField(default=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "anchor_at"], name="unique_rule_run"),
        ]
