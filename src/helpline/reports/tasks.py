"""Scheduled work of reports: the weekly report, enqueued with `run_after` for its next slot.

Each run sends the report when its slot is due (claimed under a row lock, so a duplicate run sends
nothing) and enqueues the run for the following week. Backends that cannot defer rely on the
`send_weekly_report` command (cron, or the embedded worker's sweep) instead.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from helpline.reports import weekly


@task()
def send_weekly_report() -> bool:
    sent = weekly.send_weekly_report()
    schedule_weekly_report()
    return sent


def schedule_weekly_report(now: dt.datetime | None = None) -> None:
    record = weekly.report_settings()
    if not record.weekly_enabled or not getattr(default_task_backend, "supports_defer", False):
        return
    send_weekly_report.using(run_after=weekly.next_slot(record, now or timezone.now())).enqueue()
