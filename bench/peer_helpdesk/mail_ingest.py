"""django-helpdesk 2.6.1 ingesting the mails of bench/mail_ingest.py through its own `get_email`
command (runs in bench/.venv-peer; bench/mail_ingest.py starts it and reads its one JSON line).

    PYTHONPATH=. bench/.venv-peer/bin/python -m bench.peer_helpdesk.mail_ingest \
        --database helpdesk_mailbench --mails DIR

DIR holds one folder per round (`0/`, `1/`, …): round N has the N-th mail of every conversation,
so a reply is never read before the mail it answers (`get_email` reads a local folder in
directory order). The database is migrated here (the caller creates it empty); one queue with
`email_box_type="local"` reads a working folder; each round's files are copied into it (the
command deletes what it processed) and `get_email` runs once per round. Only the command runs
are timed (wall, this process's CPU and its PostgreSQL backend's CPU); Django's start-up and the
migration are not. Attachments
go to a temporary MEDIA_ROOT. Its own mails to submitters go to the locmem backend (rendered, not sent).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.mail_peer import backend_cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--mails", required=True, type=Path)
    args = parser.parse_args()
    os.environ["PEER_DATABASE"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer_helpdesk.settings")
    work = Path(tempfile.mkdtemp(prefix="peer-mail-"))
    os.environ["PEER_MEDIA_ROOT"] = str(work / "media")
    import logging

    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from django.core.management import call_command
    from helpdesk.models import FollowUp, Queue, Ticket

    call_command("migrate", verbosity=0)
    inbox = work / "inbox"
    inbox.mkdir()
    Queue.objects.create(
        title="Support",
        slug="support",
        email_address="support@bench.example",
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=str(inbox),
        email_box_interval=0,
        logging_type="none",
    )
    from django.db import connection

    backend = connection.cursor().connection.info.backend_pid
    rounds = sorted((p for p in args.mails.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    wall = cpu = db_cpu = 0.0
    fed = 0
    left = 0
    for folder in rounds:
        files = sorted(folder.iterdir())
        for path in files:
            shutil.copyfile(path, inbox / path.name)
        fed += len(files)
        Queue.objects.filter(slug="support").update(email_box_last_check=None)
        start, start_cpu, start_db = time.perf_counter(), time.process_time(), backend_cpu(backend)
        call_command("get_email", quiet=True)
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        db_cpu += backend_cpu(backend) - start_db
        left += sum(1 for _ in inbox.iterdir())
        for path in inbox.iterdir():  # not processed: counted, not fed again
            path.unlink()
    result = {
        "messages": fed,
        "wall_s": wall,
        "cpu_s": cpu,
        "db_cpu_s": db_cpu,
        "left_unprocessed": left,
        "tickets": Ticket.objects.count(),
        "follow_ups": FollowUp.objects.count(),
    }
    shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
