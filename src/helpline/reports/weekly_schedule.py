"""When the weekly report goes out: a stored task chain on the task queue, exactly once per slot.

- Saving the report settings stores `ReportSettings.weekly_next_run_at` (the next slot: weekday at
  hour in the admin's time zone) and enqueues `tasks.send_weekly_report(slot)` with `run_after` at that
  slot. The database queue keeps it across restarts, so no cron is needed. A slot less than a day
  after the last report (the hour moved later on the day it went out) is skipped for the next one.
- The run for a slot first moves the chain on (stores and enqueues the following slot) under the
  settings row lock, then claims the slot's `WeeklyReportRun` row (unique slot, conditional status
  change) and only then renders and mails. A run for a slot the chain no longer waits for (the
  settings changed, a duplicate) stops there; so does a second run of a claimed slot.
- A failed send is retried (`RETRY_AFTER`, at most `MAX_ATTEMPTS`); a run that dies while sending
  stays "sending" and is not sent again (at most once).
- The hourly periodic job (`core.periodic`, run by every task worker) catches up a slot whose
  stored run is overdue (lost, or a backend that cannot defer) through the same `run_slot`, so the
  report still goes out once. The `send_weekly_report` command does the same from cron.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from helpline.reports import weekly
from helpline.reports.models import ReportSettings, WeeklyReportRun, WeeklyRunStatus

log = logging.getLogger("helpline.reports.weekly")
MAX_ATTEMPTS = 3
MIN_GAP = dt.timedelta(days=1)
CATCH_UP_AFTER = dt.timedelta(
    minutes=10
)  # the stored run normally starts within seconds of its slot  # a slot within a day after a report went out is skipped
RETRY_AFTER = dt.timedelta(minutes=15)


def _backend_defers() -> bool:
    from django_tasks import default_task_backend

    return bool(getattr(default_task_backend, "supports_defer", False))


def _enqueue(slot: dt.datetime, *, run_at: dt.datetime | None = None) -> None:
    from helpline.reports import tasks

    if _backend_defers():
        when = run_at or slot
        transaction.on_commit(lambda: tasks.send_weekly_report.using(run_after=when).enqueue(slot.isoformat()))


def schedule(now: dt.datetime | None = None) -> dt.datetime | None:
    """Store the next slot and enqueue its run, unless that very slot is already waiting (so saving
    the settings twice leaves one chain). Returns the slot (None when the report is off)."""
    now = now or timezone.now()
    with transaction.atomic():
        record = ReportSettings.objects.select_for_update().order_by("pk").first()
        if record is None:
            return None
        slot = weekly.next_slot(record, now) if record.weekly_enabled and record.recipients() else None
        last = record.weekly_last_sent_at
        if slot is not None and last is not None and slot - last < MIN_GAP:
            slot = weekly.next_slot(record, slot)  # the hour moved later on the day it went out
        if slot is not None and record.weekly_next_run_at == slot:
            return slot
        record.weekly_next_run_at = slot
        record.save(update_fields=["weekly_next_run_at"])
        if slot is not None:
            _enqueue(slot)
    return slot


def run_slot(slot: dt.datetime | None, *, now: dt.datetime | None = None) -> str:
    """The stored task's work for `slot` (None: a task queued before slots were stored)."""
    now = now or timezone.now()
    if slot is None:
        schedule(now)
        return "rescheduled"
    with transaction.atomic():
        record = ReportSettings.objects.select_for_update().order_by("pk").first()
        if record is None or not record.weekly_enabled or record.weekly_next_run_at != slot:
            return "stale"
        if slot > now:  # woken early (clock skew between machines): wait for the slot again
            _enqueue(slot)
            return "early"
        following = weekly.next_slot(record, now)
        record.weekly_next_run_at = following
        record.save(update_fields=["weekly_next_run_at"])
        _enqueue(following)
        _open_run(slot)
    return deliver(slot, now=now)


def _open_run(slot: dt.datetime) -> None:
    try:
        with transaction.atomic():
            WeeklyReportRun.objects.get_or_create(slot=slot)
    except IntegrityError:  # another worker created it at the same moment
        pass


def deliver(slot: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """Claim the slot's run and mail the report for the week before the slot. "sent", "claimed"
    (someone else has it, or it is done), "failed" (a retry is queued while attempts remain)."""
    now = now or timezone.now()
    won = WeeklyReportRun.objects.filter(
        slot=slot, status__in=(WeeklyRunStatus.PENDING, WeeklyRunStatus.FAILED), attempts__lt=MAX_ATTEMPTS
    ).update(status=WeeklyRunStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not won:
        return "claimed"
    record = weekly.report_settings()
    try:
        weekly.mail_report(
            end=slot,
            language=record.weekly_language,
            recipients=record.recipients(),
            tz=weekly.zone_of(record),
        )
    except Exception as exc:
        log.exception("weekly report failed slot=%s", slot.isoformat())
        with transaction.atomic():
            run = WeeklyReportRun.objects.select_for_update().get(slot=slot)
            run.status, run.error = WeeklyRunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            run.save(update_fields=["status", "error"])
            if run.attempts < MAX_ATTEMPTS:
                _enqueue_retry(slot, now + RETRY_AFTER)
        return "failed"
    with transaction.atomic():
        WeeklyReportRun.objects.filter(slot=slot).update(status=WeeklyRunStatus.SENT, sent_at=now, error="")
        ReportSettings.objects.filter(pk=record.pk).update(weekly_last_sent_at=now)
    return "sent"


def _enqueue_retry(slot: dt.datetime, when: dt.datetime) -> None:
    from helpline.reports import tasks

    if _backend_defers():
        transaction.on_commit(lambda: tasks.retry_weekly_report.using(run_after=when).enqueue(slot.isoformat()))


def catch_up(*, now: dt.datetime | None = None) -> str:
    """The hourly check: run the slot the chain waits for if it is overdue; store the chain if
    there is none. Exactly once with the stored run (both go through `run_slot`'s lock and claim)."""
    now = now or timezone.now()
    record = weekly.report_settings()
    if record.pk is None or not record.weekly_enabled or not record.recipients():
        return "off"
    slot = record.weekly_next_run_at
    if slot is None:
        schedule(now)
        return "scheduled"
    if slot > now - CATCH_UP_AFTER:
        return "waiting"
    log.warning("weekly report run for %s is overdue: running it now", slot.isoformat())
    return run_slot(slot, now=now)


def send_due(*, now: dt.datetime | None = None, force: bool = False) -> bool:
    """For cron and manual runs: send the current slot's report if it has not gone out (claims the
    same run row as the stored task), or with `force` send the last seven days now regardless."""
    now = now or timezone.now()
    record = weekly.report_settings()
    if not record.recipients():
        return False
    if force:
        end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        weekly.mail_report(
            end=end, language=record.weekly_language, recipients=record.recipients(), tz=weekly.zone_of(record)
        )
        ReportSettings.objects.filter(pk=record.pk).update(weekly_last_sent_at=now)
        return True
    if not record.weekly_enabled:
        return False
    slot = weekly.current_slot(record, now)
    _open_run(slot)
    return deliver(slot, now=now) == "sent"
