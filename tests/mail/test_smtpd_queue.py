"""`helpline smtpd` stores first and processes from a shared queue in chunks: a real process on
the test database takes mail from several SMTP clients at once, answers 250 only once a message is
stored, processes every message exactly once through the chunked path, and after a crash (killed
with messages stored and not processed) finds them when it starts again."""

from __future__ import annotations

import re
import signal
import smtplib
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from helpline.mail import actions
from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.mail.smtpd_queue import ProcessingQueue, Stored
from helpline.mail.store import raw_root
from helpline.tickets.models import Message, Ticket
from tests.mail.mails import raw_mail
from tests.mail.processes import SharedDatabase
from tests.mail.servers import free_port
from tests.mail.test_smtpd_command import deliver, wait_listening

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS, EACH = 4, 6


def smtpd(db: SharedDatabase, port: int, *extra: str) -> subprocess.Popen[str]:
    command = db.command("smtpd", "--host", "127.0.0.1", "--port", str(port), *extra)
    process = subprocess.Popen(command, env=db.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    wait_listening(port, process)
    return process


def wait_for(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def statuses(db: SharedDatabase) -> dict[str, str]:
    """Message-ID → status of the stored rows, as the receiver process wrote them."""
    if db.sqlite:
        import sqlite3

        try:
            with sqlite3.connect(db.file, timeout=5) as conn:
                return dict(conn.execute("SELECT message_id, status FROM mail_rawmessage").fetchall())
        except sqlite3.OperationalError:  # the receiver holds the write lock just now
            return {}
    return dict(RawMessage.objects.values_list("message_id", "status"))


def processed_counts(stderr: str) -> list[int]:
    return [int(n) for n in re.findall(r"smtpd: processed (\d+) messages", stderr)]


def test_concurrent_clients_every_message_stored_before_250_and_processed_once(tmp_path: Path) -> None:
    Mailbox.objects.create(
        name="Support", email_address="support@desk.example", send_acknowledgement=False, sender_rate_limit=0
    )
    db = SharedDatabase(tmp_path)
    port = free_port()
    replies: dict[str, tuple[int, bytes, set[str]]] = {}
    lock = threading.Lock()

    def client(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as conn:
            conn.ehlo()
            for i in range(EACH):
                message_id = f"<c{n}-{i}@client.example>"
                body = f"client {n}, message {i}\r\n" + ("x" * 70 + "\r\n") * 40
                raw = raw_mail(body, message_id=message_id, sender=f"c{n}@ex.org")
                conn.mail("mx@example.org")
                conn.rcpt("support@desk.example")
                code, reply = conn.data(raw)
                seen = set(statuses(db)) if i == EACH - 1 else set()  # at the 250, the message is there
                with lock:
                    replies[message_id] = (code, reply, seen)

    first = smtpd(db, port)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    first.send_signal(signal.SIGKILL)  # at once: whatever was not processed yet is only stored
    first.communicate(timeout=60)
    assert len(replies) == CLIENTS * EACH
    assert {code for code, _r, _s in replies.values()} == {250}
    assert all(b"queued" in reply for _c, reply, _s in replies.values())
    for message_id, (_code, _reply, seen) in replies.items():
        assert not seen or message_id in seen  # stored before its 250
    stored = statuses(db)
    assert set(stored) == set(replies)  # every message with a 250 is stored, after the kill too

    second = smtpd(db, port)  # the restart finds what the killed one left unprocessed
    try:
        wait_for(lambda: set(statuses(db).values()) == {RawStatus.PROCESSED})
        code, reply = deliver(port, "support@desk.example", raw_mail("again", message_id="<c0-0@client.example>"))
        assert code == 250 and b"duplicate" in reply  # the MX delivers one again: recognised
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    db.bring_back()
    assert RawMessage.objects.count() == CLIENTS * EACH
    assert Ticket.objects.count() == CLIENTS * EACH  # each sender's message opened one ticket: none twice
    assert sorted(Message.objects.values_list("external_id", flat=True)) == sorted(replies)


def test_messages_stored_before_a_crash_are_processed_once_when_the_receiver_starts(tmp_path: Path) -> None:
    """The receiver died after storing (and answering 250) but before processing: the rows are
    `received`. The next `helpline smtpd` processes them exactly once as it starts; a second
    delivery of one of them by the MX is a duplicate."""
    box = Mailbox.objects.create(
        name="Support", email_address="support@desk.example", send_acknowledgement=False, sender_rate_limit=0
    )
    left = [raw_mail(f"left {i}", message_id=f"<left-{i}@c>") for i in range(5)]
    left.append(raw_mail("a reply", message_id="<left-r@c>", headers={"In-Reply-To": "<left-0@c>"}))
    with override_settings(MAIL_RAW_DIR=settings.DATA_DIR / "mail-raw"):  # where the receiver reads
        for raw in left:  # what the receiver does before its 250
            assert actions.store_message(mailbox=box, raw=raw, source="smtp").outcome == "queued"
    assert set(RawMessage.objects.values_list("status", flat=True)) == {RawStatus.RECEIVED}
    assert Ticket.objects.count() == 0
    db = SharedDatabase(tmp_path)
    port = free_port()
    process = smtpd(db, port)
    try:
        wait_for(lambda: set(statuses(db).values()) == {RawStatus.PROCESSED})
        code, reply = deliver(port, "support@desk.example", left[2])
        assert code == 250 and b"duplicate" in reply
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert sum(processed_counts(err)) == len(left)  # each once
    db.bring_back()
    assert RawMessage.objects.count() == len(left) and Ticket.objects.count() == 5
    assert Ticket.objects.get(messages__external_id="<left-0@c>").messages.count() == 2


def test_the_queue_drains_in_chunks_through_the_chunked_path(monkeypatch: pytest.MonkeyPatch) -> None:
    box = Mailbox.objects.create(
        name="Support", email_address="support@desk.example", send_acknowledgement=False, sender_rate_limit=0
    )
    chunks: list[int] = []
    receive_messages = actions.receive_messages

    def spy(**kwargs: Any) -> list[actions.Outcome]:
        chunks.append(len(kwargs["raws"]))
        return receive_messages(**kwargs)

    monkeypatch.setattr(actions, "receive_messages", spy)
    processing = ProcessingQueue(chunk=5, linger=0.5)
    for i in range(12):
        outcome = actions.store_message(mailbox=box, raw=raw_mail(f"m {i}", message_id=f"<q-{i}@c>"), source="smtp")
        processing.put(Stored(outcome.raw_id or 0, box.pk))  # no bytes at hand: read back from storage
    processing.put(Stored(RawMessage.objects.get(message_id="<q-0@c>").pk, box.pk))  # twice on the queue
    processing.start()
    try:
        wait_for(processing.idle, timeout=60)
    finally:
        processing.stop()
    # at most 5 together; the message queued twice (and found again by the start's sweep) once
    assert chunks == [5, 5, 2]
    assert set(RawMessage.objects.values_list("status", flat=True)) == {RawStatus.PROCESSED}
    assert Ticket.objects.count() == 12


def test_a_chunk_that_fails_is_tried_again_and_nothing_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database goes away in the middle of a chunk: the chunk is tried again after a pause and
    every message is processed once; a message that cannot be processed, or whose stored file is
    lost, is quarantined (visible to admins) without holding up the others."""
    box = Mailbox.objects.create(
        name="Support", email_address="support@desk.example", send_acknowledgement=False, sender_rate_limit=0
    )
    receive_messages = actions.receive_messages
    failures = [RuntimeError("the database went away")]

    def flaky(**kwargs: Any) -> list[actions.Outcome]:
        if failures:
            raise failures.pop()
        return receive_messages(**kwargs)

    monkeypatch.setattr(actions, "receive_messages", flaky)
    processing = ProcessingQueue(pause=0.05)
    raws = [raw_mail(f"m {i}", message_id=f"<f-{i}@c>") for i in range(3)] + [b"not a mail at all"]
    for raw in raws:
        outcome = actions.store_message(mailbox=box, raw=raw, source="smtp")
        processing.put(Stored(outcome.raw_id or 0, box.pk, raw))
    gone = actions.store_message(mailbox=box, raw=raw_mail("its file is lost", message_id="<gone@c>"), source="smtp")
    (raw_root() / RawMessage.objects.get(pk=gone.raw_id).path).unlink()
    processing.put(Stored(gone.raw_id or 0, box.pk))  # read back from storage: not there
    processing.start()
    try:
        wait_for(processing.idle, timeout=60)
    finally:
        processing.stop()
    assert failures == []
    assert sorted(RawMessage.objects.values_list("status", flat=True)) == sorted(
        [RawStatus.PROCESSED] * 3 + [RawStatus.QUARANTINED] * 2
    )
    assert RawMessage.objects.get(message_id="<gone@c>").error.startswith("raw_missing")
    assert Ticket.objects.count() == 3
