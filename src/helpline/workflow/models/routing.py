"""Routing per team (strategy, capacity) and each agent's one availability profile (status, skills,
capacities, working hours), which chat routing and ticket routing both read (workflow.availability)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    SKILLS = "skills", _("Skills")


class Availability(models.TextChoices):
    """Online: takes chats and tickets. Offline: not at the desk, so no chats; tickets still come
    within working hours. Away: takes nothing new."""

    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


DEFAULT_CHAT_CAPACITY = 3


class TeamRouting(models.Model):
    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, primary_key=True, related_name="routing")
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.MANUAL)
    default_capacity = models.PositiveIntegerField(default=10)
    respect_working_hours = models.BooleanField(default=True)
    vip_tiers = models.JSONField(default=list, blank=True)  # customer "tier" attributes that jump the queue
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class AgentRouting(models.Model):
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="routing"
    )
    status = models.CharField(max_length=10, choices=Availability.choices, default=Availability.OFFLINE)
    capacity = models.PositiveIntegerField(null=True, blank=True)  # open tickets; None: the team's default
    chat_capacity = models.PositiveSmallIntegerField(default=DEFAULT_CHAT_CAPACITY)  # chats at once
    skills = models.JSONField(default=list, blank=True)  # e.g. ["lang:ka", "channel:email", "product:printer"]
    calendar = models.ForeignKey(
        "workflow.BusinessCalendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_since = models.DateTimeField(null=True, blank=True)
