"""Crash test: a real `helpline mail fetch` process is killed (SIGKILL) in the middle of a batch
from a real IMAP server, then started again: every message is there exactly once, processed, and
flagged on the server only after it was stored. Its parse process (`mail.parse_process`) ends with it."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helpline.mail import imap
from helpline.mail.models import RawMessage, RawStatus
from helpline.tickets.models import Message, Ticket
from tests.mail.mails import raw_mail
from tests.mail.processes import SharedDatabase
from tests.mail.test_imap import deliver, dovecot, imap_mailbox, inbox_state  # noqa: F401  (dovecot: fixture)

pytestmark = pytest.mark.django_db(transaction=True)
COUNT = 60
KILL_AFTER = 8  # stored messages before the kill: inside the first batch of imap.BATCH (25)


def worker(db: SharedDatabase, *args: str) -> subprocess.Popen[str]:
    command = db.command("mail", "fetch", *args)  # `helpline mail fetch`, with its parse process as deployed
    env = {**db.env, "HELPLINE_MAIL_PARSE_PROCESS": "1"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def ended(pid: int) -> bool:
    try:  # gone, or a zombie nobody has reaped yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


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
    spawned = children(first.pid)  # its parse process
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL, first.stderr.read() if first.stderr else ""
    assert spawned
    wait_for(lambda: all(ended(pid) for pid in spawned), timeout=30)  # the parse process ends with it
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
