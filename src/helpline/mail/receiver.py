"""The built-in SMTP receiver (`helpline smtpd`): mail forwarded by an MX to one of our mailbox
addresses is stored durably (raw bytes and its row) before we answer 250, then processed from a
queue shared by all sessions, in chunks (`smtpd_queue`); if storing fails we answer 451 so the
sending server keeps the message and retries. As the final delivery it records the envelope
sender in `Return-Path`."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from helpline.mail import actions
from helpline.mail.selectors import mailbox_for_address
from helpline.mail.smtpd_queue import CHUNK, SOURCE, ProcessingQueue, Stored

log = logging.getLogger("helpline.mail.receiver")
DEFAULT_SIZE_LIMIT = 50 * 1024 * 1024


def _store(addresses: list[str], raw: bytes) -> list[tuple[str, Stored | None]]:
    close_old_connections()
    try:
        return _store_for(addresses, raw)
    finally:
        # this runs on an executor thread nobody else cleans up after: never leave a session open
        connections.close_all()


def _store_for(addresses: list[str], raw: bytes) -> list[tuple[str, Stored | None]]:
    """Each addressed mailbox's copy stored: (outcome, what to process) per mailbox."""
    seen: set[int] = set()
    stored: list[tuple[str, Stored | None]] = []
    for address in addresses:
        box = mailbox_for_address(address)
        if box is None or box.pk in seen:
            continue
        seen.add(box.pk)
        outcome = actions.store_message(mailbox=box, raw=raw, source=SOURCE)
        queued = outcome.outcome == "queued" and outcome.raw_id is not None
        stored.append((outcome.outcome, Stored(outcome.raw_id or 0, box.pk, raw) if queued else None))
    return stored


def with_return_path(raw: bytes, mail_from: str | None) -> bytes:
    """The message as delivered: the final delivery adds the envelope sender as `Return-Path`
    (RFC 5321, 4.4), so a bounce or an auto-reply sent with the null sender (`MAIL FROM:<>`) is
    recognised as such however little its headers say."""
    sender = (mail_from or "").strip().strip("<>")
    if any(c in sender for c in "\r\n<>"):  # not an address: keep the message as it came
        return raw
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    return b"Return-Path: <" + sender.encode("utf-8", "surrogateescape") + b">" + newline + raw


class ReceiverHandler:
    def __init__(self, processing: ProcessingQueue) -> None:
        self.processing = processing

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        box = await sync_to_async(mailbox_for_address)(address)
        if box is None:
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        raw = with_return_path(raw, envelope.mail_from)
        try:
            stored = await sync_to_async(_store)(list(envelope.rcpt_tos), raw)
        except Exception:
            log.exception("smtp receive failed; asking the sender to retry")
            return "451 4.3.0 Temporary failure, please retry"
        for _outcome, item in stored:  # stored durably: from here on nothing is lost
            if item is not None:
                self.processing.put(item)
        return f"250 2.0.0 Stored ({', '.join(o for o, _i in stored) or 'nothing'})"


class Receiver:
    """The SMTP server and the processing of what it stores."""

    def __init__(self, host: str, port: int, size_limit: int = DEFAULT_SIZE_LIMIT, *, chunk: int = CHUNK) -> None:
        self.processing = ProcessingQueue(chunk=chunk)
        self.controller = Controller(
            ReceiverHandler(self.processing), hostname=host, port=port, data_size_limit=size_limit, decode_data=False
        )

    def start(self) -> Receiver:
        self.processing.start()  # first picks up what was stored and never processed
        self.controller.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        """No more mail taken; what is queued is processed (up to `timeout` seconds) before the
        processing stops."""
        self.controller.stop()
        self.processing.stop(timeout)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
