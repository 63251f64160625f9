"""Builders of raw test messages."""

from __future__ import annotations

import base64
import itertools

_seq = itertools.count(1)


def new_id() -> str:
    return f"<test-{next(_seq)}@client.example>"


def raw_mail(
    body: str = "Hello, my printer is broken.",
    *,
    subject: str = "Printer broken",
    sender: str = "Ann Customer <ann@example.com>",
    to: str = "support@desk.example",
    message_id: str | None = None,
    charset: str = "utf-8",
    cte: str = "8bit",
    headers: dict[str, str] | None = None,
    content_type: str = "text/plain",
) -> bytes:
    mid = message_id or new_id()
    head = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Message-ID: {mid}", "MIME-Version: 1.0"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    data = body.encode(charset)
    if cte == "base64":
        data = base64.encodebytes(data)
    head += [f'Content-Type: {content_type}; charset="{charset}"', f"Content-Transfer-Encoding: {cte}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + data
