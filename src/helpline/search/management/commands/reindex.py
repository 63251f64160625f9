"""`helpline reindex`: rebuild the search documents of every ticket and customer."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from helpline.customers.models import Customer
from helpline.search.rebuild import rebuild_customers, rebuild_tickets
from helpline.tickets.models import Ticket


class Command(BaseCommand):
    help = "Rebuild the full-text search documents of all tickets and customers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="tickets per INSERT … SELECT")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="empty the ticket documents first (on PostgreSQL the GIN index is rebuilt once at the end)",
        )
        parser.add_argument(
            "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="database connections building side by side"
        )
        parser.add_argument("--tickets-only", action="store_true")
        parser.add_argument("--customers-only", action="store_true")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["no_progress"] or options["verbosity"] == 0
        if not options["customers_only"]:
            started = time.monotonic()
            with tqdm(total=Ticket.objects.count(), unit="ticket", desc="tickets", disable=quiet) as bar:
                written = rebuild_tickets(
                    batch_size=options["batch_size"], fresh=options["fresh"], jobs=options["jobs"], progress=bar.update
                )
            self.stdout.write(f"{written} ticket documents in {time.monotonic() - started:.1f} s")
        if not options["tickets_only"]:
            started = time.monotonic()
            with tqdm(total=Customer.objects.count(), unit="customer", desc="customers", disable=quiet) as bar:
                seen = rebuild_customers(batch_size=options["batch_size"], jobs=options["jobs"], progress=bar.update)
            self.stdout.write(f"{seen} customers indexed in {time.monotonic() - started:.1f} s")
