"""Subscribers of reports: the hourly check that keeps the weekly report's stored task chain going."""

from __future__ import annotations

import datetime as dt

from helpline.core import hooks
from helpline.core.periodic import PERIODIC_JOBS_HOOK, PeriodicJob


@hooks.register(PERIODIC_JOBS_HOOK)
def periodic_jobs() -> list[PeriodicJob]:
    return [PeriodicJob("reports.weekly", "helpline.reports.tasks.check_weekly_report", dt.timedelta(hours=1))]
