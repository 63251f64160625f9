"""Bounces: recognising the ones that are no DSN (multipart/report), and marking what we sent failed.

Many mail servers still bounce in plain text (qmail's "failure notice", older Exim's "Mail delivery
failed", hosted mail's "Undeliverable: …"): sent by the mail system (MAILER-DAEMON, postmaster, the
null sender) or naming the failed recipients (`X-Failed-Recipients`), under a subject that says so,
with the original message's headers quoted in the text or attached. Such a message is a bounce
like a DSN: matched by the quoted Message-ID to what we sent (an agent's reply, an acknowledgement,
an agent notification) and never a customer's message, so it neither opens nor reopens a ticket.
(Recognising needs no database: the parser asks for it.)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpline.mail.parsing import ParsedMail

_SYSTEM_SENDERS = ("mailer-daemon", "mail-daemon", "mailerdaemon", "postmaster", "mail.delivery.system")
_SUBJECT = re.compile(
    r"undeliver|undelivered|not delivered|could not be delivered|delivery (status notification|failure|"
    r"failed|has failed|notification|problem)|mail delivery (failed|failure|subsystem)|failure notice|"
    r"returned mail|returned to sender|non[- ]?delivery|nondeliverable|rejected|"
    r"unzustellbar|nicht zustellbar|non remis|non recapitabile|no entregado|no se puede entregar|"
    r"niet afgeleverd|недоставлен|не доставлен",
    re.IGNORECASE,
)
_QUOTED_ID = re.compile(r"^[ \t>]*Message-ID:[ \t]*\r?\n?[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_DIAGNOSTIC = re.compile(
    r"^.*\b([245]\.\d{1,3}\.\d{1,3}|[45]\d\d[ -])\b.*$|^.*(user unknown|no such user|mailbox (unavailable|full)|"
    r"does not exist|quota).*$",
    re.IGNORECASE | re.MULTILINE,
)
_COPY_FOLLOWS = re.compile(r"^\s*-{3,}", re.MULTILINE)
_QUOTED_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


def _from_mail_system(mail: ParsedMail) -> bool:
    local = mail.from_address.split("@", 1)[0]
    if local in _SYSTEM_SENDERS or "x-failed-recipients" in mail.headers:
        return True
    return "return-path" in mail.headers and mail.headers["return-path"].strip() in ("<>", "")


def quoted_message_id(mail: ParsedMail) -> str:
    """The Message-ID of the original message a bounce quotes: from an attached copy or its
    headers, else from the headers quoted in the text ("" when none)."""
    from helpline.mail.parsing import quick_message_id

    for attachment in mail.attachments:
        if attachment.declared_type in _QUOTED_TYPES:
            found = quick_message_id(attachment.content)
            if not found.endswith("@no-message-id.helpline>"):
                return found
    match = _QUOTED_ID.search(mail.text)
    return match.group(1) if match else ""


def unreported(mail: ParsedMail) -> tuple[str, str] | None:
    """(original Message-ID, diagnostic) of a bounce that is no DSN, or of a DSN that does not
    attach the original's headers; None for any other message."""
    if mail.bounce is not None:
        if mail.bounce.original_message_id:
            return None
        return quoted_message_id(mail), mail.bounce.diagnostic
    if not _from_mail_system(mail) or not (_SUBJECT.search(mail.subject) or "x-failed-recipients" in mail.headers):
        return None
    text = _COPY_FOLLOWS.split(mail.text[:20000], 1)[0][:4000]  # the report, not the quoted copy
    lines = [m.group(0).strip() for m in _DIAGNOSTIC.finditer(text)][:3]
    failed = mail.headers.get("x-failed-recipients", "")
    diagnostic = "; ".join(([f"Failed recipients: {failed}"] if failed else []) + lines) or mail.subject
    return quoted_message_id(mail), diagnostic[:500]


def mark_bounced(message_id: str, diagnostic: str) -> int | None:
    """An acknowledgement or an agent notification we sent under `message_id` bounced: marked
    failed with the diagnostic. Returns its ticket's id (None when it is neither)."""
    from helpline.mail.models import Acknowledgement, AgentNotification, OutboundStatus

    error = (f"bounced: {diagnostic}" if diagnostic else "bounced")[:1000]
    for model in (Acknowledgement, AgentNotification):
        row = model.objects.filter(message_id=message_id).values("pk", "ticket_id").first()
        if row is not None:
            model.objects.filter(pk=row["pk"]).update(status=OutboundStatus.FAILED, last_error=error)
            return int(row["ticket_id"])
    return None


def is_sent_by_us(message_id: str) -> bool:
    """An acknowledgement or a notification we sent under this Message-ID."""
    from helpline.mail.models import Acknowledgement, AgentNotification

    return (
        Acknowledgement.objects.filter(message_id=message_id).exists()
        or AgentNotification.objects.filter(message_id=message_id).exists()
    )
