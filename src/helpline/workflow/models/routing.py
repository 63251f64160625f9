"""Routing per team (strategy, capacity) and agents' routing profile (skills, capacity, availability)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    SKILLS = "skills", _("Skills")


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
    available = models.BooleanField(default=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)  # None: the team's default
    skills = models.JSONField(default=list, blank=True)  # e.g. ["lang:ka", "channel:email", "product:printer"]
    calendar = models.ForeignKey(
        "workflow.BusinessCalendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
