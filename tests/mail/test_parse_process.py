"""The worker's parse process (`mail.parse_process`): a spawned child readies chunks exactly as the
receiving process would; while it starts, when it is off and when it dies, chunks are readied in the
calling thread; a dead child is replaced; the child ends with its parent."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from helpline.mail import parse_process, prefetch
from helpline.mail.models import Mailbox
from helpline.mail.parsing import quick_message_id
from helpline.tickets.models import Message
from tests.mail.mails import raw_mail

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
MAX = 10 * 1024 * 1024
LIMIT = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_child_left() -> object:
    yield
    parse_process.stop()


def _corpus() -> tuple[list[bytes], list[str]]:
    """The corpus, bytes that are not mail, and a mail larger than LIMIT (the last two)."""
    raws = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    assert max(map(len, raws)) < LIMIT
    raws += [b"\xff\xfe not mail \x00", raw_mail("x" * LIMIT, message_id="<too-big@c>")]
    return raws, [quick_message_id(raw) for raw in raws]


def _ended(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


@override_settings(MAIL_PARSE_PROCESS=True)
def test_the_child_readies_the_corpus_exactly_as_this_process_does() -> None:
    raws, ids = _corpus()
    assert len(raws) >= 62
    assert parse_process.start()
    pid = parse_process.wait_until_warm()
    assert pid is not None and pid != os.getpid()
    there = parse_process.ready_all(raws, ids, LIMIT)
    here = parse_process.ready_here(raws, ids, LIMIT)
    assert parse_process.counts() == {"child": 1, "here": 0}
    assert there == here  # dataclasses: every field, attachments' bytes, detections, stored forms
    assert there[-1] is None  # too large: the one-by-one path quarantines it and says why
    assert all(r is not None for r in there[:-1])  # the parser takes anything else, bad bytes too
    texts = {r.mail.message_id: r.body.text for r in there if r is not None}
    assert any("\u10d0" <= ch <= "\u10ff" for text in texts.values() for ch in text)  # Georgian intact


@override_settings(MAIL_PARSE_PROCESS=True)
def test_a_killed_child_is_replaced_and_its_chunk_readied_here(caplog: pytest.LogCaptureFixture) -> None:
    raws, ids = _corpus()
    parse_process.start()
    old = parse_process.wait_until_warm()
    assert old is not None
    os.kill(old, signal.SIGKILL)
    assert _ended(old)
    with caplog.at_level(logging.WARNING, logger="helpline.mail.ingest"):
        readied = parse_process.ready_all(raws[:5], ids[:5], MAX)
    assert readied == parse_process.ready_here(raws[:5], ids[:5], MAX)
    assert "parse process ended" in caplog.text
    new = parse_process.wait_until_warm()  # a new child was started
    assert new is not None and new != old
    assert parse_process.ready_all(raws[:5], ids[:5], MAX) == readied
    assert parse_process.counts()["child"] == 1


@override_settings(MAIL_PARSE_PROCESS=True)
def test_chunks_are_readied_here_while_the_child_starts() -> None:
    raws, ids = _corpus()
    parse_process.start()
    readied = parse_process.ready_all(raws[:3], ids[:3], MAX)  # at once: the child is still setting up
    assert readied == parse_process.ready_here(raws[:3], ids[:3], MAX)
    assert parse_process.counts() == {"child": 0, "here": 1}
    parse_process.wait_until_warm()
    assert parse_process.ready_all(raws[:3], ids[:3], MAX) == readied
    assert parse_process.counts() == {"child": 1, "here": 1}


def test_off_or_not_started_chunks_are_readied_here() -> None:
    raws, ids = _corpus()
    with override_settings(MAIL_PARSE_PROCESS=False):
        assert parse_process.start() is False
    assert parse_process.wait_until_warm() is None
    assert parse_process.ready_all(raws[:3], ids[:3], MAX) == parse_process.ready_here(raws[:3], ids[:3], MAX)
    assert parse_process.counts() == {"child": 0, "here": 0}


@pytest.mark.django_db(transaction=True)
@override_settings(MAIL_PARSE_PROCESS=True)
def test_chunks_received_through_the_child(mailbox: Mailbox) -> None:
    parse_process.start()
    parse_process.wait_until_warm()
    chunks = [
        (1, [raw_mail("It is broken", message_id="<p1@c>"), raw_mail("Bob here", message_id="<p2@c>")]),
        (2, [raw_mail("Still broken", message_id="<p3@c>", headers={"In-Reply-To": "<p1@c>"}), b"\xff not mail"]),
    ]
    received = prefetch.receive_chunks(mailbox=mailbox, chunks=chunks, source="test")
    seen = [(key, [o.outcome for o in outcomes]) for key, outcomes in received]
    assert seen == [(1, ["new_ticket", "new_ticket"]), (2, ["added", "quarantined"])]
    assert parse_process.counts() == {"child": 2, "here": 0}
    assert Message.objects.get(external_id="<p3@c>").ticket == Message.objects.get(external_id="<p1@c>").ticket


def test_the_child_ends_with_its_parent() -> None:
    script = (
        "import django, sys, time\n"
        "django.setup()\n"
        "from helpline.mail import parse_process\n"
        "parse_process.start()\n"
        "print(parse_process.wait_until_warm(), flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "HELPLINE_MAIL_PARSE_PROCESS": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    parent = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _ended(child, timeout=0.1)
    finally:
        parent.kill()
        parent.wait(timeout=30)
    assert _ended(child)


@pytest.mark.django_db(transaction=True)
@override_settings(MAIL_PARSE_PROCESS=True)
def test_messages_the_child_cannot_ready_in_time_are_quarantined(
    mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    """A chunk over the time limit is readied again message by message, each in a new child within
    the limit; one that still takes longer (here: every one, the limit being a microsecond) is
    quarantined with the reason, its bytes kept; the next chunk goes through as usual."""
    from helpline.mail.models import RawMessage, RawStatus
    from helpline.mail.store import read_raw

    parse_process.start()
    first = parse_process.wait_until_warm()
    stuck = [raw_mail("Slow one", message_id="<t1@c>"), raw_mail("Slow two", message_id="<t2@c>")]
    with override_settings(MAIL_PARSE_SECONDS=0.000001), caplog.at_level(logging.WARNING, "helpline.mail.ingest"):
        [(_key, outcomes)] = list(prefetch.receive_chunks(mailbox=mailbox, chunks=[(1, stuck)], source="test"))
    assert [o.outcome for o in outcomes] == ["quarantined", "quarantined"]
    for message_id, raw in zip(("<t1@c>", "<t2@c>"), stuck, strict=True):
        row = RawMessage.objects.get(message_id=message_id)
        assert row.status == RawStatus.QUARANTINED and row.error.startswith("parse_timeout:"), row.error
        assert read_raw(row.path) == raw
    assert "parsed one by one" in caplog.text and not Message.objects.exists()
    assert first is not None and _ended(first)  # the stuck child was killed
    parse_process.wait_until_warm()  # a new one started
    later = [(2, [raw_mail("Fine again", message_id="<t3@c>")])]
    assert [o.outcome for _k, got in prefetch.receive_chunks(mailbox=mailbox, chunks=later, source="test") for o in got] == [
        "new_ticket"
    ]


@pytest.mark.django_db
def test_an_unparsable_message_another_worker_processed_meanwhile_stays_processed(mailbox: Mailbox) -> None:
    from helpline.mail.chunk import Unparsable, process_chunk
    from helpline.mail.models import RawMessage, RawStatus
    from helpline.mail.store import store_raw

    raws = [raw_mail("One", message_id="<u1@c>"), raw_mail("Two", message_id="<u2@c>")]
    rows = []
    for raw, message_id in zip(raws, ("<u1@c>", "<u2@c>"), strict=True):
        digest, path = store_raw(raw)
        rows.append(
            RawMessage.objects.create(
                mailbox=mailbox, message_id=message_id, sha256=digest, size=len(raw), path=path, received_at=timezone.now()
            )
        )
    RawMessage.objects.filter(pk=rows[1].pk).update(status=RawStatus.PROCESSED, outcome="new_ticket")  # the other worker
    reason = "parse_timeout: parsing took longer than 60 s"
    parsed = {"<u1@c>": Unparsable(reason), "<u2@c>": Unparsable(reason)}
    outcomes = process_chunk(mailbox, list(zip(rows, raws, strict=True)), parsed)
    assert [o.outcome for o in outcomes] == ["quarantined", "duplicate"]
    assert RawMessage.objects.get(pk=rows[0].pk).error == reason
    assert RawMessage.objects.get(pk=rows[1].pk).status == RawStatus.PROCESSED


@pytest.mark.django_db(transaction=True)
@override_settings(MAIL_PARSE_PROCESS=True)
def test_retry_and_reprocess_ask_the_child_first(mailbox: Mailbox) -> None:
    """A retry from the quarantine (and `mail reprocess`) parse a message in this process only once
    the parse process has readied it in time; else it stays quarantined with the reason."""
    from helpline.core.actors import Actor
    from helpline.mail import actions
    from helpline.mail.models import RawMessage, RawStatus

    parse_process.start()
    parse_process.wait_until_warm()
    with override_settings(MAIL_PARSE_SECONDS=0.000001):
        chunk = [(1, [raw_mail("Retry me", message_id="<q1@c>")])]
        list(prefetch.receive_chunks(mailbox=mailbox, chunks=chunk, source="test"))
        row = RawMessage.objects.get(message_id="<q1@c>")
        assert row.status == RawStatus.QUARANTINED and row.attempts == 1
        outcome = actions.retry_message(actor=Actor.system(), raw=row)  # still over the limit
        row.refresh_from_db()
        assert outcome.outcome == "quarantined" and row.error.startswith("parse_timeout:") and row.attempts == 2
        RawMessage.objects.filter(pk=row.pk).update(status=RawStatus.RECEIVED)  # as after a crash
        row.refresh_from_db()
        assert actions.process_stored(raw=row).outcome == "quarantined"
    parse_process.wait_until_warm()
    row.refresh_from_db()
    outcome = actions.retry_message(actor=Actor.system(), raw=row)  # within the limit: processed
    assert outcome.outcome == "new_ticket" and Message.objects.get(external_id="<q1@c>")


@pytest.mark.django_db(transaction=True)
@override_settings(MAIL_PARSE_PROCESS=True)
def test_reprocess_of_a_message_whose_file_is_gone_is_quarantined_not_raised(mailbox: Mailbox) -> None:
    from helpline.mail import actions
    from helpline.mail.models import RawMessage, RawStatus

    parse_process.start()
    parse_process.wait_until_warm()
    row = RawMessage.objects.create(
        mailbox=mailbox, message_id="<gone@c>", sha256="0" * 64, size=10, path="no/such/file.eml",
        received_at=timezone.now(),
    )
    outcome = actions.process_stored(raw=row)
    row.refresh_from_db()
    assert outcome.outcome == "quarantined" and row.status == RawStatus.QUARANTINED and row.error


@pytest.mark.django_db(transaction=True)
@override_settings(MAIL_PARSE_PROCESS=True)
def test_a_retry_where_no_parse_process_runs_uses_a_child_for_that_message_alone(mailbox: Mailbox) -> None:
    """A web process apart from the workers has no parse process: a retry from the quarantine there
    readies the message in a child started for it and ended after, so a message that hangs the
    parser stays quarantined instead of holding the request."""
    import multiprocessing

    from helpline.core.actors import Actor
    from helpline.mail import actions
    from helpline.mail.models import RawMessage, RawStatus

    parse_process.start()
    parse_process.wait_until_warm()
    with override_settings(MAIL_PARSE_SECONDS=0.000001):
        chunk = [(1, [raw_mail("Retry me from the web", message_id="<w1@c>")])]
        list(prefetch.receive_chunks(mailbox=mailbox, chunks=chunk, source="test"))
    parse_process.stop()
    row = RawMessage.objects.get(message_id="<w1@c>")
    assert row.status == RawStatus.QUARANTINED and not parse_process.running()
    with override_settings(MAIL_PARSE_SECONDS=0.000001):
        outcome = actions.retry_message(actor=Actor.system(), raw=row)  # the one-off child is too slow
    row.refresh_from_db()
    assert outcome.outcome == "quarantined" and row.error.startswith("parse_timeout:") and row.attempts == 2
    assert not parse_process.running() and not multiprocessing.active_children()
    outcome = actions.retry_message(actor=Actor.system(), raw=row)  # within the limit: processed here
    assert outcome.outcome == "new_ticket" and Message.objects.get(external_id="<w1@c>")
    assert not parse_process.running() and not multiprocessing.active_children()
    with override_settings(MAIL_PARSE_PROCESS=False):  # off: parsed here at once, no child
        assert actions._over_time(row) is None and not multiprocessing.active_children()
