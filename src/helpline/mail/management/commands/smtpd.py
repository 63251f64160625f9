"""`helpline smtpd`: receive mail for our mailboxes over SMTP (behind an MX that forwards to it)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpline.mail.receiver import DEFAULT_SIZE_LIMIT, Receiver
from helpline.mail.smtpd_queue import CHUNK


class Command(BaseCommand):
    help = "Run the SMTP receiver for mail forwarded to the help desk's addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--size-limit", type=int, default=DEFAULT_SIZE_LIMIT)
        parser.add_argument("--chunk", type=int, default=CHUNK, help="messages processed together at most")

    def handle(self, *args: Any, **options: Any) -> None:
        receiver = Receiver(options["host"], options["port"], options["size_limit"], chunk=options["chunk"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        receiver.start()
        self.stdout.write(f"SMTP receiver listening on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
