"""Scheduled work of reports: the weekly report's stored task chain (see `weekly_schedule`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from helpline.reports import weekly_schedule


@task()
def send_weekly_report(slot: str | None = None) -> str:
    """The run for one slot (an ISO time); it enqueues the next slot's run before sending."""
    return weekly_schedule.run_slot(dt.datetime.fromisoformat(slot) if slot else None)


@task()
def retry_weekly_report(slot: str) -> str:
    return weekly_schedule.deliver(dt.datetime.fromisoformat(slot))


@task()
def check_weekly_report() -> str:
    """Hourly (a periodic job): run an overdue weekly slot, or store the chain if it is missing."""
    return weekly_schedule.catch_up()


def schedule_weekly_report() -> None:
    weekly_schedule.schedule()
