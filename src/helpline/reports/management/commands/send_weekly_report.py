from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpline.reports import weekly_schedule


class Command(BaseCommand):
    help = "Send the weekly report if its slot has not gone out (for cron, on task backends that cannot defer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="send now even if this week's was sent")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = weekly_schedule.send_due(force=options["force"])
        self.stdout.write("sent" if sent else "not due")
