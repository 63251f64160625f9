"""In-app notifications for agents (from automations: "notify the assignee, the team, the admins")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AgentNotification(models.Model):
    """One notice shown to one agent in the workspace (the bell in the top bar, pushed live), kept
    until they read it. `source` names what sent it (an automation rule's name)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_notices")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "read_at", "-created_at"], name="agent_notice_unread")]

    def __str__(self) -> str:
        return self.title
