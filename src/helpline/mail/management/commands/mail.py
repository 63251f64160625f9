"""`helpline mail import PATH…` (eml, mbox, Maildir), `helpline mail fetch` (IMAP) and
`helpline mail reprocess` (messages stored but never processed, e.g. after a crash)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from helpline.mail import actions, parse_process, prefetch
from helpline.mail.models import Mailbox, RawMessage, RawStatus

IMPORT_BATCH = 50


def _mailbox(value: str | None) -> Mailbox:
    boxes = Mailbox.objects.all()
    if value:
        box = boxes.filter(email_address=value.lower()).first() or (
            boxes.filter(pk=int(value)).first() if value.isdigit() else None
        )
        if box is None:
            raise CommandError(f"no mailbox {value!r}")
        return box
    if boxes.count() != 1:
        raise CommandError("several mailboxes exist: choose one with --mailbox ADDRESS")
    return boxes.get()


class Command(BaseCommand):
    help = "Email channel: import files, fetch over IMAP, reprocess stored messages."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import .eml files, mbox files or Maildir folders")
        imp.add_argument("paths", nargs="+", type=Path)
        imp.add_argument("--mailbox", help="address (or id) of the mailbox to import into")
        imp.add_argument("--no-progress", action="store_true")
        fetch = sub.add_parser("fetch", help="fetch new mail over IMAP")
        fetch.add_argument("--mailbox")
        fetch.add_argument("--watch", action="store_true", help="keep running: IDLE, or polling when unsupported")
        sub.add_parser("reprocess", help="process messages stored but not yet processed")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action in ("import", "fetch", "reprocess"):
            parse_process.start()  # used once it is up (import, fetch: the first chunks are parsed here meanwhile)
        if action == "import":
            self._import(options)
        elif action == "fetch":
            from helpline.mail import imap

            boxes = [_mailbox(options["mailbox"])] if options["mailbox"] else list(Mailbox.objects.filter(active=True))
            if options["watch"]:
                imap.watch_all(boxes)
            else:
                for box in boxes:
                    for outcome in imap.fetch_once(box):
                        self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            for row in RawMessage.objects.filter(status=RawStatus.RECEIVED).order_by("id"):
                outcome = actions.process_stored(raw=row)
                self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))

    def _import(self, options: dict[str, Any]) -> None:
        from helpline.mail.sources import chunks, count_messages, iter_messages

        box = _mailbox(options["mailbox"])
        paths: list[Path] = options["paths"]
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path} does not exist")
        total = count_messages(paths)
        counts: dict[str, int] = {}
        with tqdm(total=total, unit="msg", file=sys.stderr, disable=options["no_progress"]) as bar:
            read = ((chunk, [raw for _s, raw in chunk]) for chunk in chunks(iter_messages(paths), IMPORT_BATCH))
            # as the IMAP fetcher: each chunk together, its subscribers once, the next one read meanwhile
            for chunk, outcomes in prefetch.receive_chunks(mailbox=box, chunks=read, source="import"):
                for (source, _raw), outcome in zip(chunk, outcomes, strict=True):
                    counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
                    self.stdout.write(json.dumps({**outcome.as_json(), "source": source}, ensure_ascii=False))
                bar.update(len(chunk))
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        self.stderr.write(f"{sum(counts.values())} messages ({summary})")
