from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from imapclient import IMAPClient

from helpline.mail import chunk, imap
from helpline.mail.models import AuthMethod, Mailbox, ProcessedAction, RawMessage, RawStatus, Security
from helpline.tickets.models import Message, Ticket
from tests.mail.dovecot import DOVECOT, PASSWORD, USER, Dovecot
from tests.mail.mails import raw_mail
from tests.mail.servers import TokenEndpoint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(DOVECOT is None, reason="dovecot binary not installed (apt-get install dovecot-imapd)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the test Dovecot must start as root to drop to the mail user"),
]


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not under pytest's private tmp dir: Dovecot's unprivileged processes must reach the files.
    root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
    server = Dovecot(root).start()
    try:
        yield server
    finally:
        server.discard()


def imap_mailbox(server: Dovecot, **extra: Any) -> Mailbox:
    fields = {
        "name": "Support",
        "email_address": "support@desk.example",
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": Security.PLAIN,
        "username": USER,
        "password": PASSWORD,
    }
    return Mailbox.objects.create(**{**fields, **extra})


def deliver(server: Dovecot, *messages: bytes) -> None:
    with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        for raw in messages:
            client.append("INBOX", raw)


def inbox_state(server: Dovecot) -> dict[str, Any]:
    with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        flags = client.get_flags(uids) if uids else {}
        processed = client.folder_status("Processed", [b"MESSAGES"])[b"MESSAGES"]
        return {"count": len(uids), "flags": list(flags.values()), "processed": processed}


def wait_processed(message_id: str, timeout: float = 15) -> bool:
    """Poll from the test thread while the watcher writes (SQLite's shared in-memory database
    answers "table is locked" instead of waiting, so such reads are retried)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if RawMessage.objects.filter(message_id=message_id, status=RawStatus.PROCESSED).exists():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return False


def test_fetch_stores_processes_and_flags(dovecot: Dovecot) -> None:
    box = imap_mailbox(dovecot)
    deliver(
        dovecot,
        raw_mail("first", message_id="<i1@c>"),
        raw_mail("ሰላም፣ ማተሚያዬ አይሰራም።", message_id="<i2@c>", headers={"In-Reply-To": "<i1@c>"}),
        b"not a mail at all",
    )
    outcomes = imap.fetch_once(box)
    assert [o.outcome for o in outcomes] == ["new_ticket", "added", "quarantined"]
    assert Ticket.objects.get().messages.last().body_text == "ሰላም፣ ማተሚያዬ አይሰራም።"
    state = inbox_state(dovecot)
    assert state["count"] == 3 and all(imap.PROCESSED_KEYWORD in f and b"\\Seen" in f for f in state["flags"])
    assert imap.fetch_once(box) == []  # flagged mail is not fetched again
    box.refresh_from_db()
    assert box.last_checked_at is not None and box.last_error == ""


def test_fetch_moves_processed_mail(dovecot: Dovecot) -> None:
    box = imap_mailbox(dovecot, processed_action=ProcessedAction.MOVE, processed_folder="Processed")
    deliver(dovecot, raw_mail("a"), raw_mail("b"))
    out = StringIO()
    call_command("mail", "fetch", "--mailbox", box.email_address, stdout=out)  # `helpline mail fetch`
    assert [json.loads(line)["outcome"] for line in out.getvalue().splitlines()] == ["new_ticket", "new_ticket"]
    assert inbox_state(dovecot) == {"count": 0, "flags": [], "processed": 2}


def test_crash_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = imap_mailbox(dovecot)
    deliver(dovecot, *[raw_mail(f"message {i}", message_id=f"<crash-{i}@c>") for i in range(6)])
    real_item = chunk._item
    calls = {"n": 0}

    def dying_item(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise SystemExit("worker killed")  # the process dies while processing message 4
        return real_item(*args, **kwargs)

    monkeypatch.setattr(chunk, "_item", dying_item)
    with pytest.raises(SystemExit):
        imap.fetch_once(box)
    # the chunk's rows were all recorded before processing began; its transaction was undone whole
    assert RawMessage.objects.count() == 6 and Ticket.objects.count() == 0
    assert list(RawMessage.objects.values_list("status", flat=True)) == [RawStatus.RECEIVED] * 6
    assert not any(imap.PROCESSED_KEYWORD in f for f in inbox_state(dovecot)["flags"])  # nothing marked yet
    monkeypatch.setattr(chunk, "_item", real_item)
    outcomes = imap.fetch_once(box)  # the restarted worker
    assert sorted(o.outcome for o in outcomes) == ["new_ticket"] * 6
    assert RawMessage.objects.count() == 6 and Ticket.objects.count() == 6 and Message.objects.count() == 6
    assert set(RawMessage.objects.values_list("status", flat=True)) == {RawStatus.PROCESSED}
    assert imap.fetch_once(box) == []


def test_idle_picks_up_new_mail_at_once(dovecot: Dovecot) -> None:
    box = imap_mailbox(dovecot, poll_interval=3600)  # polling would never see it in time
    stop = threading.Event()

    def run() -> None:
        try:
            imap.watch(box, stop, tick=0.2, retry_delay=0.5)
        finally:
            connection.close()

    watcher = threading.Thread(target=run, daemon=True)
    watcher.start()
    try:
        time.sleep(1.0)  # connected and idling
        deliver(dovecot, raw_mail("arrived during IDLE", message_id="<idle-1@c>"))
        assert wait_processed("<idle-1@c>")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_polling_fallback_without_idle(dovecot: Dovecot) -> None:
    box = imap_mailbox(dovecot, use_idle=False, poll_interval=1)
    stop = threading.Event()

    def run() -> None:
        try:
            imap.watch(box, stop, tick=0.2, retry_delay=0.5)
        finally:
            connection.close()

    watcher = threading.Thread(target=run, daemon=True)
    watcher.start()
    try:
        time.sleep(0.5)
        deliver(dovecot, raw_mail("polled", message_id="<poll-1@c>"))
        assert wait_processed("<poll-1@c>")
    finally:
        stop.set()
        watcher.join(timeout=10)


def test_xoauth2_token_refused_before_its_expiry_is_refreshed_once() -> None:
    with TokenEndpoint() as endpoint:
        root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
        server = Dovecot(root, introspection_url=endpoint.introspection_url).start()
        try:
            box = imap_mailbox(
                server,
                auth_method=AuthMethod.XOAUTH2,
                oauth_token_url=endpoint.url,
                oauth_client_id="client-1",
                oauth_refresh_token="good-refresh",
                oauth_access_token="revoked-early",  # Dovecot's introspection says it is not active
                oauth_expires_at=timezone.now() + dt.timedelta(minutes=50),
            )
            deliver(server, raw_mail("token revoked", message_id="<oauth-2@c>"))
            assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"]
            box.refresh_from_db()
            assert box.oauth_access_token == "fresh-token" and len(endpoint.requests) == 1
        finally:
            server.discard()


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_xoauth2_sign_in_with_a_refreshed_token(tls: bool) -> None:
    """Dovecot's oauth2 passdb checks the token by RFC 7662 introspection at our fake endpoint."""
    with TokenEndpoint() as endpoint:
        root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
        server = Dovecot(root, introspection_url=endpoint.introspection_url, tls=tls).start()
        try:
            if tls:  # implicit TLS, the certificate verified against the mailbox's CA file
                extra: dict[str, Any] = {"imap_port": server.tls_port, "imap_security": Security.SSL}
                extra["tls_ca_file"] = str(server.cert)
            else:
                extra = {}
            box = imap_mailbox(
                server,
                **extra,
                auth_method=AuthMethod.XOAUTH2,
                oauth_token_url=endpoint.url,
                oauth_client_id="client-1",
                oauth_refresh_token="good-refresh",
                oauth_access_token="expired-token",
                oauth_expires_at=timezone.now() - dt.timedelta(minutes=5),
            )
            deliver(server, raw_mail("over oauth", message_id="<oauth-1@c>"))
            assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"]
            box.refresh_from_db()
            assert box.oauth_access_token == "fresh-token" and box.oauth_refresh_token == "rotated"
            assert len(endpoint.requests) == 1
        finally:
            server.discard()


@pytest.mark.parametrize(
    ("without", "expunge"),
    [(("MOVE",), "uid_expunge"), (("MOVE", "UIDPLUS"), "expunge")],
    ids=["uidplus", "no-uidplus"],
)
def test_move_on_a_server_without_the_move_extension(
    without: tuple[str, ...], expunge: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COPY, \\Deleted and then UID EXPUNGE of exactly our messages (UIDPLUS) or EXPUNGE."""
    root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
    server = Dovecot(root, without=without).start()
    try:
        called: list[str] = []

        def spying(name: str) -> Any:
            real = getattr(IMAPClient, name)

            def spy(self: IMAPClient, *args: Any) -> Any:
                called.append(name)
                return real(self, *args)

            return spy

        for name in ("move", "copy", "uid_expunge", "expunge"):
            monkeypatch.setattr(IMAPClient, name, spying(name))
        box = imap_mailbox(server, processed_action=ProcessedAction.MOVE, processed_folder="Processed")
        deliver(server, raw_mail("deleted by a person, not expunged", message_id="<deleted-by-hand@c>"))
        with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
            client.login(USER, PASSWORD)
            assert not client.has_capability("MOVE")
            client.select_folder("INBOX")
            client.add_flags(client.search(["ALL"]), [b"\\Deleted"])
        deliver(server, raw_mail("a", message_id="<nomove-a@c>"), raw_mail("b", message_id="<nomove-b@c>"))
        outcomes = imap.fetch_once(box)
        assert [(o.message_id, o.outcome) for o in outcomes] == [
            ("<nomove-a@c>", "new_ticket"),
            ("<nomove-b@c>", "new_ticket"),
        ]
        assert called == ["copy", expunge]
        state = inbox_state(server)
        assert state["processed"] == 2
        # UID EXPUNGE removes only our messages; a plain EXPUNGE removes every \Deleted one
        assert state["count"] == (1 if expunge == "uid_expunge" else 0)
        with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
            client.login(USER, PASSWORD)
            client.select_folder("Processed")
            fetched = client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            ids = sorted(
                d[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip() for d in fetched.values()
            )
        assert ids == ["<nomove-a@c>", "<nomove-b@c>"]
        assert imap.fetch_once(box) == []
    finally:
        server.discard()


def test_the_periodic_job_polls_each_mailbox_at_its_interval(dovecot: Dovecot) -> None:
    """No watcher process: every worker's scheduler enqueues `mail.poll`, which fetches the
    mailboxes whose polling interval has passed (and claims each, so two workers never both do)."""
    from helpline.core import periodic
    from helpline.mail import polling

    assert "mail.poll" in {job.name for job in periodic.registered_jobs()}
    box = imap_mailbox(dovecot, poll_interval=300)
    imap_mailbox(dovecot, email_address="off@desk.example", active=False)
    deliver(dovecot, raw_mail("polled by the scheduler", message_id="<sched-1@c>"))
    assert "mail.poll" in periodic.enqueue_due_jobs()  # the immediate test backend runs it at once
    assert RawMessage.objects.get().message_id == "<sched-1@c>" and Ticket.objects.count() == 1

    deliver(dovecot, raw_mail("too soon", message_id="<sched-2@c>"))
    now = timezone.now()
    assert polling.poll_due_mailboxes(now + dt.timedelta(seconds=120)) == {}  # within the interval
    assert polling.poll_due_mailboxes(now + dt.timedelta(seconds=299)) == {"support@desk.example": 1}
    later = now + dt.timedelta(hours=1)
    assert [b.pk for b in polling.due_mailboxes(later)] == [box.pk]
    assert polling.due_mailboxes(later) == []  # claimed by the first: a second worker leaves it
    box.refresh_from_db()
    assert box.last_error == "" and RawMessage.objects.count() == 2


def test_mail_a_server_marked_as_spam_is_held_and_released(dovecot: Dovecot) -> None:
    """SpamAssassin or rspamd on the MX marked it; the mail still lands in the inbox we read."""
    from helpline.core.actors import Actor
    from helpline.mail import actions
    from tests.factories import make_agent

    box = imap_mailbox(dovecot)
    deliver(
        dovecot,
        raw_mail("a real question", message_id="<ham-1@c>"),
        raw_mail("cheap pills", message_id="<spam-1@c>", headers={"X-Spam-Flag": "YES", "X-Spam-Score": "9.1"}),
        raw_mail("win big", message_id="<spam-2@c>", headers={"X-Spam-Status": "Yes, score=12.0 required=5.0"}),
        raw_mail("also real", message_id="<ham-2@c>", headers={"X-Spam-Status": "No, score=0.3 required=5.0"}),
    )
    outcomes = imap.fetch_once(box)
    assert [(o.message_id, o.outcome) for o in outcomes] == [
        ("<ham-1@c>", "new_ticket"),
        ("<spam-1@c>", "spam"),
        ("<spam-2@c>", "spam"),
        ("<ham-2@c>", "new_ticket"),
    ]
    held = RawMessage.objects.get(message_id="<spam-1@c>")
    assert (
        held.status == RawStatus.QUARANTINED
        and held.error == "spam: marked by a mail server on the way (X-Spam-Flag: YES)"
    )
    assert Ticket.objects.count() == 2
    assert all(imap.PROCESSED_KEYWORD in f for f in inbox_state(dovecot)["flags"])  # stored, so marked
    assert imap.fetch_once(box) == []

    released = actions.retry_message(actor=Actor.of_agent(make_agent(role="admin")), raw=held)
    assert released.outcome == "new_ticket" and Ticket.objects.count() == 3

    Mailbox.objects.filter(pk=box.pk).update(hold_marked_spam=False)
    box.refresh_from_db()
    flagged = raw_mail("the MX is wrong about us", message_id="<spam-3@c>", headers={"X-Spam-Flag": "YES"})
    assert actions.receive_message(mailbox=box, raw=flagged).outcome == "new_ticket"
