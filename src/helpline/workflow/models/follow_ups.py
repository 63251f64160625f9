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
