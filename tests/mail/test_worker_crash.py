"""Crash test: a real `helpline mail fetch` process is killed (SIGKILL) in the middle of a batch
from a real IMAP server, then started again: every message is there exactly once, processed, and
flagged on the server only after it was stored.

The worker runs as a separate process on the test's own database: the PostgreSQL test database
itself, or on SQLite a file copy of the in-memory test database (sqlite3's backup API) that is
copied back for the checks."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from helpline.mail import imap
from helpline.mail.models import RawMessage, RawStatus
from helpline.tickets.models import Message, Ticket
from tests.mail.mails import raw_mail
from tests.mail.test_imap import deliver, dovecot, imap_mailbox, inbox_state  # noqa: F401  (dovecot: fixture)

pytestmark = pytest.mark.django_db(transaction=True)
COUNT = 60
KILL_AFTER = 8  # stored messages before the kill: inside the first batch of imap.BATCH (25)


class SharedDatabase:
    """The test database as another process reaches it."""

    def __init__(self, tmp: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.file = tmp / "worker.sqlite3"
        # the same data directory (and so the same secret key for the encrypted mailbox password)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "HELPLINE_DATA_DIR": str(settings.DATA_DIR),
        }
        self.env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
            self.env["DATABASE_URL"] = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )

    def stored(self) -> int:
        if not self.sqlite:
            return RawMessage.objects.count()
        try:
            with sqlite3.connect(self.file, timeout=0.2) as db:
                return int(db.execute("SELECT count(*) FROM mail_rawmessage").fetchone()[0])
        except sqlite3.OperationalError:  # the worker holds the write lock just now
            return 0

    def bring_back(self) -> None:
        """Make what the worker wrote visible to this process's connection."""
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)


def worker(db: SharedDatabase, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "django", "mail", "fetch", *args]
    return subprocess.Popen(command, env=db.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_killed_worker_restarts_and_every_message_is_there_exactly_once(dovecot, tmp_path: Path) -> None:  # noqa: F811
    box = imap_mailbox(dovecot, send_acknowledgement=False, sender_rate_limit=0)
    messages = [raw_mail(f"message {i} " + "x" * 5000, message_id=f"<kill-{i}@c>") for i in range(COUNT)]
    # replies thread into the first message's ticket, so a lost or doubled message would show
    messages += [
        raw_mail(f"reply {i}", message_id=f"<kill-r{i}@c>", headers={"In-Reply-To": "<kill-0@c>"}) for i in range(5)
    ]
    deliver(dovecot, *messages)
    db = SharedDatabase(tmp_path)

    first = worker(db, "--mailbox", box.email_address)
    wait_for(lambda: db.stored() >= KILL_AFTER or first.poll() is not None, timeout=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL, first.stderr.read() if first.stderr else ""
    killed_at = db.stored()
    assert KILL_AFTER <= killed_at < len(messages)  # it died with work left in the batch
    state = inbox_state(dovecot)
    assert not any(imap.PROCESSED_KEYWORD in f for f in state["flags"])  # nothing marked before it was done

    second = worker(db, "--mailbox", box.email_address)  # the restarted worker
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    outcomes = [json.loads(line) for line in out.splitlines()]
    assert len(outcomes) == len(messages)
    assert {o["outcome"] for o in outcomes} <= {"new_ticket", "added", "duplicate"}, [
        o for o in outcomes if o["outcome"] == "quarantined"
    ][:3]

    db.bring_back()
    assert RawMessage.objects.count() == len(messages)
    assert set(RawMessage.objects.values_list("status", flat=True)) == {RawStatus.PROCESSED}
    assert Ticket.objects.count() == COUNT and Message.objects.count() == len(messages)
    expected_ids = {f"<kill-{i}@c>" for i in range(COUNT)} | {f"<kill-r{i}@c>" for i in range(5)}
    assert sorted(Message.objects.values_list("external_id", flat=True)) == sorted(expected_ids)
    first_ticket = Ticket.objects.get(messages__external_id="<kill-0@c>")
    assert first_ticket.messages.count() == 6
    state = inbox_state(dovecot)
    assert state["count"] == len(messages) and all(imap.PROCESSED_KEYWORD in f for f in state["flags"])
