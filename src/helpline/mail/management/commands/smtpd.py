"""`helpline smtpd`: receive mail for our mailboxes over SMTP (behind an MX that forwards to it)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpline.mail.receiver import DEFAULT_SIZE_LIMIT, build_controller


class Command(BaseCommand):
    help = "Run the SMTP receiver for mail forwarded to the help desk's addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--size-limit", type=int, default=DEFAULT_SIZE_LIMIT)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = build_controller(options["host"], options["port"], options["size_limit"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"SMTP receiver listening on {options['host']}:{options['port']}")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
