"""Spam verdicts written into a message's headers by a mail server on the way (SpamAssassin's
`X-Spam-Flag: YES` and `X-Spam-Status: Yes, …`, rspamd's `X-Spam: Yes`). Such mail is held in the
quarantine, like mail an email service provider judged spam, until an admin releases it."""

from __future__ import annotations

import re

_VERDICT = re.compile(
    rb"^(x-spam-flag:[ \t]*yes|x-spam-status:[ \t]*yes|x-spam:[ \t]*yes)\b", re.IGNORECASE | re.MULTILINE
)


def marked_spam(raw: bytes) -> str:
    """The header line that marks the message as spam, "" when none does (the header block only)."""
    crlf = raw.find(b"\r\n\r\n")
    lf = raw.find(b"\n\n", 0, crlf if crlf >= 0 else len(raw))
    end = min((i for i in (crlf, lf) if i >= 0), default=len(raw))
    if b"x-spam" not in raw[:end].lower():  # most mail: no verdict header to look at
        return ""
    found = _VERDICT.search(raw, 0, end)
    return found.group(0).decode("latin-1") if found else ""
