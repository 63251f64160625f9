"""Background work of the workflow app: the due-work sweep (SLA warnings and breaches, time-based
rules, follow-up reminders)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from helpline.workflow import sweep


@task()
def sweep_due_work() -> dict[str, int]:
    return sweep.run_sweep(timezone.now(), reschedule=False)
