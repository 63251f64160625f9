"""Auto-replies, bulk mail and loops: such messages are kept but never answered automatically."""

from __future__ import annotations

from helpline.mail.parsing import ParsedMail

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMONS = ("mailer-daemon@", "postmaster@", "noreply@", "no-reply@", "do-not-reply@", "donotreply@")


def auto_reason(mail: ParsedMail) -> str:
    """Why this message must not get an automatic answer ("" when it may)."""
    headers = mail.headers
    auto = headers.get("auto-submitted", "").lower()
    if auto and not auto.startswith("no"):
        return "auto-submitted"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "autoreply-header"
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return "auto-response-suppress"
    precedence = (headers.get("precedence") or headers.get("x-precedence") or "").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"precedence-{precedence}"
    if "return-path" in headers and headers["return-path"].strip() in ("<>", ""):
        return "null-sender"
    if mail.from_address.startswith(_DAEMONS):
        return "daemon-sender"
    if mail.bounce is not None:
        return "bounce"
    return ""


def is_own_loop(mail: ParsedMail, mailbox_addresses: set[str], own_message_id: bool) -> bool:
    """Our own mail coming back: sent by one of our mailboxes, marked by us, or carrying a
    Message-ID we generated."""
    if own_message_id or mail.headers.get("x-helpline-loop"):
        return True
    return mail.from_address in mailbox_addresses
