"""IMAP fetching: new mail is read without marking it, stored and processed, and only then
flagged or moved (never deleted before its raw bytes are stored). `watch` keeps a connection in
IDLE and falls back to polling when the server has no IDLE."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator

from django.db import close_old_connections
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from helpline.mail import actions, prefetch, tls
from helpline.mail.ingest import Outcome
from helpline.mail.models import AuthMethod, Mailbox, ProcessedAction, Security

log = logging.getLogger("helpline.mail.imap")
PROCESSED_KEYWORD = b"$HelplineDone"
BATCH = 25
IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE before the 29-minute server timeout


def connect(mailbox: Mailbox, timeout: float = 60) -> IMAPClient:
    context = tls.context_for(mailbox)
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_security == Security.SSL,
        ssl_context=context,
        timeout=timeout,
    )
    try:
        if mailbox.imap_security == Security.STARTTLS:
            client.starttls(context)
        if mailbox.auth_method == AuthMethod.XOAUTH2:
            from helpline.mail.oauth import sign_in

            sign_in(mailbox, lambda token: client.oauth2_login(mailbox.username, token), LoginError)
        else:
            client.login(mailbox.username, mailbox.password)
    except BaseException:
        client.shutdown()
        raise
    return client


def _mark(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.processed_action == ProcessedAction.MOVE and mailbox.processed_folder:
        folder = mailbox.processed_folder
        if not client.folder_exists(folder):
            client.create_folder(folder)
        if client.has_capability("MOVE"):
            client.move(uids, folder)
        else:
            client.copy(uids, folder)
            client.add_flags(uids, [b"\\Deleted"])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()
    else:
        client.add_flags(uids, [b"\\Seen", PROCESSED_KEYWORD])


def _pending(client: IMAPClient, mailbox: Mailbox) -> list[int]:
    if mailbox.processed_action == ProcessedAction.MOVE and mailbox.processed_folder:
        return sorted(client.search(["NOT", "DELETED"]))
    return sorted(client.search(["UNKEYWORD", PROCESSED_KEYWORD, "NOT", "DELETED"]))


def fetch_once(mailbox: Mailbox, client: IMAPClient | None = None) -> list[Outcome]:
    """Fetch, store and process everything not yet processed in the mailbox's folder."""
    own = client is None
    conn = client or connect(mailbox)
    outcomes: list[Outcome] = []
    try:
        conn.select_folder(mailbox.imap_folder)
        uids = _pending(conn, mailbox)

        def fetched() -> Iterator[tuple[list[int], list[bytes]]]:
            for start in range(0, len(uids), BATCH):
                chunk = uids[start : start + BATCH]
                data = conn.fetch(chunk, ["BODY.PEEK[]"])
                done = [uid for uid in chunk if data.get(uid, {}).get(b"BODY[]") is not None]
                yield done, [data[uid][b"BODY[]"] for uid in done]

        # each chunk in its own batch (shared reads, search indexing and subscribers once per chunk),
        # the next one fetched, stored and parsed while this one goes through the database
        for done, received in prefetch.receive_chunks(mailbox=mailbox, chunks=fetched(), source="imap"):
            outcomes += received
            _mark(conn, mailbox, done)  # stored and recorded (processed or quarantined): safe to mark
        actions.record_check(mailbox=mailbox)
    except Exception as exc:
        actions.record_check(mailbox=mailbox, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if own:
            with contextlib.suppress(Exception):  # the connection may already be gone
                conn.logout()
    return outcomes


def watch(mailbox: Mailbox, stop: threading.Event, *, tick: float = 5.0, retry_delay: float = 30.0) -> None:
    """Run until `stop` is set: IDLE when offered (and enabled), polling otherwise; reconnects
    after errors."""
    while not stop.is_set():
        client = None
        try:
            client = connect(mailbox)
            fetch_once(mailbox, client)
            if mailbox.use_idle and client.has_capability("IDLE"):
                _idle_loop(mailbox, client, stop, tick)
            else:
                while not stop.wait(mailbox.poll_interval):
                    fetch_once(mailbox, client)
        except Exception as exc:
            log.warning("imap watch error mailbox=%s error=%s", mailbox.pk, exc)
            stop.wait(retry_delay)
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.logout()
            close_old_connections()


def _idle_loop(mailbox: Mailbox, client: IMAPClient, stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        client.idle()
        started = time.monotonic()
        responses: list = []
        try:
            while not stop.is_set() and time.monotonic() - started < IDLE_RENEW_SECONDS:
                responses = client.idle_check(timeout=tick)
                if any(r[1] in (b"EXISTS", b"RECENT") for r in responses if len(r) > 1):
                    break
        finally:
            client.idle_done()
        if not stop.is_set():
            fetch_once(mailbox, client)


def watch_all(boxes: Iterable[Mailbox]) -> None:
    stop = threading.Event()
    threads = [
        threading.Thread(target=watch, args=(box, stop), name=f"imap-{box.pk}", daemon=True)
        for box in boxes
        if box.imap_host
    ]
    for thread in threads:
        thread.start()
    try:
        while any(t.is_alive() for t in threads):
            time.sleep(1)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
