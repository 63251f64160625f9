"""Attempt every pending webhook delivery whose retry time has come.

Retries are normally re-enqueued on the `webhooks` task queue with `run_after`; this sweep picks
up deliveries a crashed worker left behind, or all retries when the task backend cannot defer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpline.webhooks.delivery import send_due_deliveries


class Command(BaseCommand):
    help = "Send pending webhook deliveries that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="at most this many deliveries")

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = send_due_deliveries(limit=options["limit"])
        self.stdout.write(f"{len(outcomes)} due deliveries attempted")
