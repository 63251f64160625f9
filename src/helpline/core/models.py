"""Shared tables: the slots of periodic jobs (see core.periodic)."""

from __future__ import annotations

from django.db import models


class PeriodicSlot(models.Model):
    """The next moment a periodic job is due. Claimed by a conditional UPDATE, so of several task
    workers exactly one enqueues each run."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_enqueued_by = models.CharField(max_length=64, blank=True)
