"""The `helpline` command: `run`, `worker`, `migrate`, `demo` and every other management command."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_tasks_db.management.commands.db_worker import Worker

QUEUES = os.environ.get("HELPLINE_QUEUES", "default,outbound,webhooks,search")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="helpline run", description="Serve HTTP and WebSockets.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the embedded task worker (production runs `helpline worker` apart)",
    )
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    embedded = settings.TASKS_BACKEND == "database" and not settings.REDIS_URL and not args.no_worker
    worker = _start_embedded_worker() if embedded and not args.reload and args.workers == 1 else None
    import uvicorn

    try:
        uvicorn.run(
            "helpline.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers if not args.reload else None,
            reload=args.reload,
            proxy_headers=True,
            # chat frames are a few hundred bytes: compressing them costs more CPU than it saves,
            # and each connection's zlib state costs memory
            ws_per_message_deflate=False,
            log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        )
    finally:
        if worker is not None:
            stop_embedded_worker(worker)
    return 0


def task_worker(worker_id: str, *, interval: float, batch: bool) -> Worker:
    """The database task queue's worker over every queue; `batch`: until the queue is empty."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=QUEUES.split(","),
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _start_embedded_worker() -> Any:
    """The embedded profile works its task queue in a thread of the server process, so pushes from
    tasks reach WebSockets over the in-memory channel layer; a second thread enqueues the periodic
    jobs (core.periodic), so no cron is needed; a third reads the ticket events for the worker
    subscribers (tickets.event_feed); fetched mail is parsed in a process beside the server
    (mail.parse_process)."""
    from django.utils.crypto import get_random_string

    from helpline.core.periodic import Scheduler
    from helpline.mail import parse_process
    from helpline.tickets.event_feed import FeedReader

    parse_process.start()  # mail parsed beside the server, off its interpreter lock
    worker = task_worker("embedded-" + get_random_string(8), interval=1.0, batch=False)

    def work() -> None:
        from django.db import connections

        try:
            worker.run()
        finally:
            connections.close_all()

    worker.thread = threading.Thread(target=work, name="helpline-task-worker", daemon=True)  # type: ignore[attr-defined]
    worker.thread.start()  # type: ignore[attr-defined]
    worker.scheduler = Scheduler(worker.worker_id).start()  # type: ignore[attr-defined]
    worker.feed = FeedReader(worker.worker_id).start()  # type: ignore[attr-defined]
    return worker


def stop_embedded_worker(worker: Any, *, timeout: float = 30) -> None:
    """Stop the embedded worker's threads (each finishes what it has in hand)."""
    worker.running = False
    worker.scheduler.stop(timeout=5)
    worker.feed.stop(timeout=timeout)
    worker.thread.join(timeout=timeout)
    from helpline.mail import parse_process

    parse_process.stop()


def _worker(argv: list[str]) -> int:
    """A production task worker: the database queue's worker, plus the periodic-jobs scheduler
    thread (every worker runs one; each run is claimed by exactly one of them) and the thread that
    reads ticket events for the worker subscribers (each batch of events claimed by one of them);
    fetched mail is parsed in a process beside it (mail.parse_process)."""
    _lower_priority()
    _setup_django()
    from django.core.management import call_command
    from django.utils.crypto import get_random_string

    from helpline.core import gc_policy
    from helpline.core.periodic import Scheduler
    from helpline.mail import parse_process
    from helpline.tickets.event_feed import FeedReader

    worker_id = f"worker-{os.getpid()}-{get_random_string(6)}"
    parse_process.start()
    gc_policy.settle_worker()
    scheduler = Scheduler(worker_id).start()
    feed = FeedReader(worker_id).start()
    try:
        call_command("db_worker", "--queue-name", QUEUES, *argv)
    finally:
        scheduler.stop(timeout=5)
        feed.stop(timeout=30)
        parse_process.stop()
    return 0


def _lower_priority() -> None:
    """Background work yields the CPU to the server on a shared machine: a worker runs at nice
    HELPLINE_WORKER_NICE (10 by default; 0 keeps the priority it was started with), so a burst of
    events never delays what agents and visitors wait for (the workers catch up after it)."""
    increment = int(os.environ.get("HELPLINE_WORKER_NICE", "10"))
    if increment > 0 and hasattr(os, "nice"):
        os.nice(increment)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command == "run":
        return _run(argv[1:])
    if command == "worker":
        return _worker(argv[1:])
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["helpline", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
