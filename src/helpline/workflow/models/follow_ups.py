"""Follow-up tasks for agents (call back on a date, check in after delivery) with reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="follow_ups")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("what to do"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("remind at"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["remind_at"], name="follow_up_remind", condition=models.Q(reminded_at__isnull=True)),
            models.Index(fields=["agent", "done_at", "due_at"], name="follow_up_agent_open"),
        ]


class FollowUpSettings(models.Model):
    """Desk-wide follow-up messages (one row, pk=1): the confirmation after a logged phone call and the
    greeting on a customer's special date. Templates are per language: {"en": "...", "ka": "..."}."""

    call_confirmation_enabled = models.BooleanField(_("confirm logged calls to the customer"), default=False)
    call_confirmation_templates = models.JSONField(default=dict, blank=True)
    call_confirmation_prefer_sms = models.BooleanField(_("prefer SMS for call confirmations"), default=False)
    greeting_enabled = models.BooleanField(_("send special-date greetings"), default=False)
    greeting_attribute = models.CharField(_("customer attribute holding the date"), max_length=60, blank=True)
    greeting_templates = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class GreetingSent(models.Model):
    """One greeting per customer, attribute and year; the unique row is the claim that makes a
    greeting go out once even with two workers sweeping at the same moment."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    attribute = models.CharField(max_length=60)
    year = models.PositiveIntegerField()
    sent_at = models.DateTimeField()
    channel = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "attribute", "year"], name="unique_greeting_per_year")
        ]
