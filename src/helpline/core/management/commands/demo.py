"""`helpline demo`: seed a living demo desk and print the demo logins."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helpline.core.demo_data.plan import DEFAULT_SEED
from helpline.core.demo_data.seed import DemoResult, seed_demo
from helpline.core.errors import HelplineError

DEFAULT_PASSWORD = "helpline-demo"  # noqa: S105 (the documented demo password, not a secret)


def _with_event_loop(work: Callable[[], DemoResult]) -> DemoResult:
    """Run `work` in this thread while an event loop runs beside it.

    Every action pushes realtime events with `async_to_sync`; without a loop each push would start
    and stop one of its own, which costs more than the rest of the demo's writes together.
    """

    async def runner() -> DemoResult:
        return await sync_to_async(work, thread_sensitive=True)()

    return async_to_sync(runner)()


class Command(BaseCommand):
    help = (
        "Seed the demo desk: teams, agents, customers writing in English, Georgian, Amharic, Mongolian "
        "and Telugu, and tickets across every channel. Running it again adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("HELPLINE_DEMO_PASSWORD") or DEFAULT_PASSWORD,
            help="password of the demo accounts created now (default: $HELPLINE_DEMO_PASSWORD or helpline-demo)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="another seed gives another desk (on a fresh database)"
        )
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        password: str = options["password"]
        started = time.monotonic()
        try:
            result = _with_event_loop(
                partial(seed_demo, password=password, seed=options["seed"], show_progress=not options["no_progress"])
            )
        except HelplineError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.monotonic() - started

        created = ", ".join(f"{count} {what}" for what, count in result.created.items() if count)
        self.stdout.write(
            self.style.SUCCESS(f"Demo desk ready in {seconds:.1f} s")
            + (f" (created {created})." if created else " (nothing to add: it was already there).")
        )
        url = settings.SITE_URL.rstrip("/") + "/"
        width = max(len(login.label) for login in result.logins)
        self.stdout.write("")
        for login in result.logins:
            shown = password if login.password_known else "(set in an earlier run; `helpline changepassword "
            shown += "" if login.password_known else f"{login.username}` sets a new one)"
            label = f"Demo {login.label} login:".ljust(width + 13)
            self.stdout.write(f"  {label} {url}  username: {login.username:<10}  password: {shown}")
        same = all(login.password_known for login in result.logins)
        self.stdout.write(
            f"\n  More agents, one per language desk: {', '.join(result.other_agents)}"
            + (" (the same password)." if same else ".")
        )
        outbox = (
            f"land in {settings.EMAIL_FILE_PATH}"
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
            else "go out through the desk's email backend"
        )
        self.stdout.write(
            f"  Demo mailbox: {result.mailbox}: mail goes in with `helpline mail import --mailbox "
            f"{result.mailbox} FILE.eml...` (an mbox or a Maildir too) or through `helpline smtpd`; replies "
            f"and acknowledgements {outbox}."
        )
