"""Run the workflow sweep now (SLA warnings and breaches, time-based rules, follow-up reminders).

Scheduled sweeps run on the task worker; this command is for cron set-ups and manual catch-up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from helpline.workflow.sweep import run_sweep


class Command(BaseCommand):
    help = "Do all workflow work that has come due."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = run_sweep(timezone.now())
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
