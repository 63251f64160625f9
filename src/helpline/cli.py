"""The `helpline` command: `run`, `worker`, `migrate`, `demo` and every other management command."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


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
    worker: subprocess.Popen[bytes] | None = None
    embedded = settings.TASKS_BACKEND == "database" and not settings.REDIS_URL and not args.no_worker
    if embedded:
        worker = subprocess.Popen([sys.executable, "-m", "helpline.cli", "worker"])  # noqa: S603
    import uvicorn

    try:
        uvicorn.run(
            "helpline.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers if not args.reload else None,
            reload=args.reload,
            proxy_headers=True,
            log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        )
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _worker(argv: list[str]) -> int:
    _setup_django()
    from django.core.management import call_command

    queues = os.environ.get("HELPLINE_QUEUES", "default,outbound,webhooks,search")
    call_command("db_worker", "--queue-name", queues, *argv)
    return 0


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
