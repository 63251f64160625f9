"""The weekly report on a frozen clock: saving the settings stores one delayed task for the next
slot (weekday and hour in the admin's time zone); the stored task, run as the database worker runs
it, mails the report once and stores the next week's run; duplicates, changed settings and
failures never send a slot twice, and a failed send is retried."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.reports import actions, tasks, weekly
from helpline.reports.models import ReportSettings, WeeklyReportRun, WeeklyRunStatus
from tests.factories import make_agent
from tests.stored_tasks import waiting_tasks, work_due_tasks

pytestmark = pytest.mark.django_db
TASK = "helpline.reports.tasks.send_weekly_report"
RETRY = "helpline.reports.tasks.retry_weekly_report"
UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def stored_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbound", "webhooks", "search"],
        }
    }


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(at(2026, 3, 8, 20), tick=False) as traveller:  # Sunday evening
        yield traveller


def _save(commits: Any, **overrides: Any) -> ReportSettings:
    values: dict[str, Any] = {
        "leaderboard_for_agents": False,
        "weekly_enabled": True,
        "weekly_recipients": "boss@example.ge",
        "weekly_weekday": 0,  # Monday
        "weekly_hour": 9,
        "weekly_time_zone": "Asia/Tbilisi",  # UTC+4, no daylight saving
        "weekly_language": "en",
    }
    values.update(overrides)
    with commits():
        return actions.update_report_settings(actor=Actor.of_agent(make_agent(Role.ADMIN)), **values)


def _waiting(path: str = TASK) -> list[tuple[dt.datetime, list[Any]]]:
    return waiting_tasks(path)


def _work_due(commits: Any) -> list[Any]:
    return work_due_tasks(commits)


def test_slots_follow_the_admins_time_zone_across_clock_changes() -> None:
    record = ReportSettings(
        weekly_enabled=True, weekly_recipients="a@example.ge", weekly_weekday=0, weekly_hour=9,
        weekly_time_zone="America/New_York",
    )  # fmt: skip
    # New York moves to daylight saving time on Sunday 2026-03-08: 09:00 is 14:00 UTC before, 13:00 after
    assert weekly.current_slot(record, at(2026, 3, 5, 12)) == at(2026, 3, 2, 14)
    assert weekly.next_slot(record, at(2026, 3, 5, 12)) == at(2026, 3, 9, 13)
    assert weekly.next_slot(record, at(2026, 3, 9, 13)) == at(2026, 3, 16, 13)
    assert weekly.current_slot(record, at(2026, 3, 9, 12, 59)) == at(2026, 3, 2, 14)
    record.weekly_time_zone = "Asia/Tbilisi"
    assert weekly.next_slot(record, at(2026, 3, 8, 20)) == at(2026, 3, 9, 5)
    record.weekly_time_zone = "Nowhere/Atlantis"  # a zone removed from the machine falls back to UTC
    assert weekly.next_slot(record, at(2026, 3, 8, 20)) == at(2026, 3, 9, 9)


def test_the_report_goes_out_weekly_from_stored_tasks_exactly_once(
    stored_tasks: None, clock: Any, commits: Any
) -> None:
    _save(commits)
    monday = at(2026, 3, 9, 5)  # 09:00 in Tbilisi
    assert _waiting() == [(monday, [monday.isoformat()])]
    _save(commits)  # saved again unchanged: still one chain
    assert len(_waiting()) == 1
    assert ReportSettings.objects.get().weekly_next_run_at == monday

    mail.outbox.clear()
    assert _work_due(commits) == []  # Sunday: nothing is due yet
    assert mail.outbox == []

    clock.move_to(monday + dt.timedelta(seconds=30))
    assert _work_due(commits) == ["sent"]
    [message] = mail.outbox
    assert message.to == ["boss@example.ge"] and message.attachments[0][1].startswith(b"%PDF-")
    assert "2026-03-02" in message.attachments[0][0]  # the seven local days before the slot
    following = at(2026, 3, 16, 5)
    assert _waiting() == [(following, [following.isoformat()])]
    run = WeeklyReportRun.objects.get(slot=monday)
    assert (run.status, run.attempts) == (WeeklyRunStatus.SENT, 1)

    # a duplicate of the same slot (e.g. enqueued twice) finds the chain moved on and sends nothing
    with commits():
        tasks.send_weekly_report.enqueue(monday.isoformat())
    assert _work_due(commits) == ["stale"]
    assert len(mail.outbox) == 1

    # moved to 10:00 on the day it went out: not sent twice today, next week at 10:00
    _save(commits, weekly_hour=10)
    ten = at(2026, 3, 16, 6)
    assert [when for when, _args in _waiting()] == [following, ten]
    clock.move_to(at(2026, 3, 11, 12))
    _save(commits, weekly_hour=10)  # saved again mid-week: the same chain
    assert [when for when, _args in _waiting()] == [following, ten]
    clock.move_to(ten + dt.timedelta(minutes=1))
    assert sorted(_work_due(commits)) == ["sent", "stale"]  # 05:00's run is stale
    assert len(mail.outbox) == 2
    assert _waiting() == [(at(2026, 3, 23, 6), [at(2026, 3, 23, 6).isoformat()])]

    # switched off: the waiting run does nothing when its time comes
    _save(commits, weekly_enabled=False)
    clock.move_to(at(2026, 3, 23, 7))
    assert _work_due(commits) == ["stale"]
    assert len(mail.outbox) == 2 and ReportSettings.objects.get().weekly_next_run_at is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_failed_send_is_retried_and_not_lost(stored_tasks: None, clock: Any, commits: Any, settings: Any) -> None:
    _save(commits)
    monday = at(2026, 3, 9, 5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    clock.move_to(monday)
    assert _work_due(commits) == ["failed"]
    run = WeeklyReportRun.objects.get(slot=monday)
    assert run.status == WeeklyRunStatus.FAILED and "Connection" in run.error
    retry_at = monday + dt.timedelta(minutes=15)
    assert _waiting(RETRY) == [(retry_at, [monday.isoformat()])]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    clock.move_to(retry_at)
    assert _work_due(commits) == ["sent"]
    assert len(mail.outbox) == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (WeeklyRunStatus.SENT, 2, "")
    assert _work_due(commits) == []


def test_the_hourly_check_sends_a_slot_whose_stored_run_was_lost_once(
    stored_tasks: None, clock: Any, commits: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from helpline.core.periodic import enqueue_due_jobs, registered_jobs

    assert "reports.weekly" in {job.name for job in registered_jobs()}
    _save(commits)
    monday = at(2026, 3, 9, 5)
    DBTaskResult.objects.filter(task_path=TASK).delete()  # the stored run is lost (a restored backup)
    mail.outbox.clear()
    clock.move_to(monday + dt.timedelta(minutes=5))
    with commits():
        enqueue_due_jobs()
    assert "waiting" in _work_due(commits)  # within the grace period the stored run is trusted
    assert mail.outbox == []
    clock.move_to(monday + dt.timedelta(hours=1))
    with commits():
        assert "reports.weekly" in enqueue_due_jobs()
    assert "sent" in _work_due(commits)
    assert len(mail.outbox) == 1
    following = at(2026, 3, 16, 5)
    assert _waiting() == [(following, [following.isoformat()])]  # the chain is back
    # the lost run turning up after all finds the slot done
    with commits():
        tasks.send_weekly_report.enqueue(monday.isoformat())
    clock.move_to(monday + dt.timedelta(hours=2))
    with commits():
        enqueue_due_jobs()
    results = _work_due(commits)
    assert "stale" in results and "sent" not in results
    assert len(mail.outbox) == 1
