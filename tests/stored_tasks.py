"""Stored (database) tasks in tests: what waits in the queue, and running what has come due the
way `db_worker` does, on whatever clock the test has frozen."""

from __future__ import annotations

import datetime as dt
from typing import Any


def waiting_tasks(path: str) -> list[tuple[dt.datetime, list[Any]]]:
    """(run_after, args) of the ready tasks of `path` ("module.function"), soonest first."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=path, status="READY").order_by("run_after")
    return [(r.run_after, r.args_kwargs["args"]) for r in rows]


def work_due_tasks(commits: Any) -> list[Any]:
    """Run every stored task whose run_after has come, as the worker would (its on-commit work
    included); returns their return values in the order run."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    done: list[Any] = []
    while (result := DBTaskResult.objects.ready().order_by("run_after", "enqueued_at").first()) is not None:
        result.claim("test")
        with commits():
            worker.run_task(result)
        result.refresh_from_db()
        done.append(result.return_value)
    return done
