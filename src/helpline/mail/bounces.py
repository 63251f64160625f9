"""Bounces: recognising the ones that are no DSN (multipart/report), and marking what we sent failed.

Many mail servers still bounce in plain text (qmail's "failure notice", older Exim's "Mail delivery
failed", hosted mail's "Undeliverable: …"): sent by the mail system (MAILER-DAEMON, a "Mail Delivery
System/Subsystem", Microsoft 365's reporting address, postmaster, the null sender) or naming the
failed recipients (`X-Failed-Recipients`), saying so in the words of the common servers' reports or
under a subject that says so (also in the languages servers really use), with the original
message's headers quoted in the text or attached. Such a message is a bounce like a DSN: matched
by the quoted Message-ID to what we sent (an agent's reply, an acknowledgement, an agent
notification) and never a customer's message, so it neither opens nor reopens a ticket. A person's
message is never one, whatever it says about undelivered mail. Warnings that delivery is only
delayed (in plain text, or DSNs whose actions are "delayed", "delivered" or "relayed") are reports
too, kept out of the tickets, but they mark nothing failed.
(Recognising needs no database: the parser asks for it.)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpline.mail.parsing import ParsedMail

_DAEMON_SENDERS = ("mailer-daemon", "mail-daemon", "mailerdaemon", "mail.delivery.system")
# Microsoft 365 sends its reports as "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@…>"
_EXCHANGE_SENDER = re.compile(r"^microsoftexchange[0-9a-f]{32}$")
_SYSTEM_NAME = re.compile(r"^mail delivery (system|subsystem)$", re.IGNORECASE)
# Subjects of delivery failures. Localized ones are those mail servers really send (Exchange and
# Microsoft 365 in the sender's language, Yandex, Coremail/163): never guessed translations.
_SUBJECT = re.compile(
    r"undeliver|undelivered|not delivered|could not be delivered|delivery (status notification|failure|"
    r"failed|has failed|notification|problem)|mail delivery (failed|failure|subsystem)|failure notice|"
    r"returned mail|returned to sender|non[- ]?delivery|nondeliverable|rejected|"
    r"unzustellbar|nicht zustellbar|non remis|non recapitabile|impossibile recapitare|no entregado|"
    r"no se puede entregar|no se ha podido entregar|error en la entrega|niet afgeleverd|onbestelbaar|"
    r"недоставлен|не доставлен|не удается доставить|"
    r"não é possível entregar|não entregue|niedostarczalne|nie można dostarczyć|zprávu nelze doručit|"
    r"olevererbart|kan ikke leveres|ei voitu toimittaa|kézbesíthetetlen|teslim edilemedi|iletilemedi|"
    r"系统退信|未送达|배달되지 않음",
    re.IGNORECASE,
)
# What the reports of the common mail servers say before the copy of the message (whitespace folded)
_REPORT_MARKERS = re.compile(
    r"this is the qmail-send program|i'm afraid i wasn't able to deliver your message|"  # qmail
    r"this message was created automatically by mail delivery software|"  # Exim
    r"a message that you sent could not be delivered to one or more of its recipients|"
    r"this is the mail system at host|"  # Postfix
    r"i'm sorry to have to inform you that your message could not be delivered|"
    r"the following addresses had permanent fatal errors|transcript of session follows|"  # Sendmail
    r"delivery has failed to these recipients or groups|diagnostic information for administrators|"  # Exchange
    r"the following recipient\(s\) (cannot|could not) be reached|"
    r"your message (to \S+ )?(couldn't|could not|wasn't|was not) (be )?delivered|"  # Microsoft 365, Gmail
    r"delivery to the following recipients? failed permanently|"  # Gmail
    r"sorry, we were unable to deliver your message to the following address",  # Yahoo
    re.IGNORECASE,
)
# Warnings that a message is still being retried: nothing failed yet
_DELAY = re.compile(
    r"\(delay\)|delivery delayed|delayed mail|warning (message )?only|has not yet been delivered|"
    r"has been delayed|will be retried|still being retried|warning: could not send message",
    re.IGNORECASE,
)
_QUOTED_ID = re.compile(r"^[ \t>]*Message-ID:[ \t]*\r?\n?[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_DIAGNOSTIC = re.compile(
    r"^.*\b([245]\.\d{1,3}\.\d{1,3}\b|[45]\d\d(?=[ :-])).*$|^.*(user unknown|no such user|"
    r"mailbox (unavailable|full)|does not exist|quota).*$",
    re.IGNORECASE | re.MULTILINE,
)
# the line after which servers quote the message ("--- Below this line is a copy of the message.",
# "------ This is a copy of the message, including all the headers. ------", "----- Original message
# -----"), not their own headings ("----- The following addresses had permanent fatal errors -----")
_COPY_FOLLOWS = re.compile(
    r"^\s*-{3,}.*\b(copy|original|message headers?|received message|headers? follows?)\b", re.IGNORECASE | re.MULTILINE
)
_QUOTED_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


def _sender_kind(mail: ParsedMail) -> str:
    """The kind of sender: "daemon" for a mail system's own address or name (MAILER-DAEMON, Mail
    Delivery System or Subsystem, Microsoft 365's reporting address), "maybe" for senders people
    also write from (postmaster, the null sender, a message naming failed recipients), "" else."""
    local = mail.from_address.split("@", 1)[0]
    if (
        local in _DAEMON_SENDERS
        or _EXCHANGE_SENDER.match(local)
        or _SYSTEM_NAME.match(" ".join(mail.from_name.split()))
    ):
        return "daemon"
    if local == "postmaster" or "x-failed-recipients" in mail.headers:
        return "maybe"
    if "return-path" in mail.headers and mail.headers["return-path"].strip() in ("<>", ""):
        return "maybe"
    return ""


def _report_kind(mail: ParsedMail, sender: str, report: str) -> str:
    """What a message from a mail system (`sender` from `_sender_kind`) reports: "failed" when a
    message could not be delivered (it says so in the words mail servers use, or names the failed
    recipients; a subject alone counts from a mail system's own address, or when the original is
    quoted), "delayed" for a warning that delivery is still being tried, "" for anything else."""
    folded = " ".join(report.split())
    if _DELAY.search(mail.subject) or _DELAY.search(folded):
        return "delayed" if sender == "daemon" or _REPORT_MARKERS.search(folded) else ""
    if "x-failed-recipients" in mail.headers or _REPORT_MARKERS.search(folded):
        return "failed"
    if not _SUBJECT.search(mail.subject):
        return ""
    return "failed" if sender == "daemon" or quoted_message_id(mail) else ""


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


def unreported(mail: ParsedMail) -> tuple[str, str, bool] | None:
    """(original Message-ID, diagnostic, failed) of a bounce that is no DSN, or of a DSN that does
    not attach the original's headers (`failed` False: only a warning that delivery is delayed);
    None for any other message."""
    if mail.bounce is not None:
        if mail.bounce.original_message_id:
            return None
        return quoted_message_id(mail), mail.bounce.diagnostic, mail.bounce.failed
    sender = _sender_kind(mail)
    if not sender:
        return None  # a person's message, whatever it says about undelivered mail
    text = _COPY_FOLLOWS.split(mail.text[:20000], 1)[0][:4000]  # the report, not the quoted copy
    kind = _report_kind(mail, sender, text)
    if not kind:
        return None
    lines = [m.group(0).strip() for m in _DIAGNOSTIC.finditer(text)][:3]
    failed = mail.headers.get("x-failed-recipients", "")
    diagnostic = "; ".join(([f"Failed recipients: {failed}"] if failed else []) + lines) or mail.subject
    return quoted_message_id(mail), diagnostic[:500], kind == "failed"


def mark_bounced(message_id: str, diagnostic: str) -> int | None:
    """An acknowledgement or an agent notification we sent under `message_id` bounced: marked
    failed with the diagnostic. Returns its ticket's id (None when it is neither)."""
    from helpline.core.actors import Actor
    from helpline.mail.actions import fail_delivery
    from helpline.mail.models import Acknowledgement, AgentNotification

    error = (f"bounced: {diagnostic}" if diagnostic else "bounced")[:1000]
    for model in (Acknowledgement, AgentNotification):
        row = model.objects.filter(message_id=message_id).first()
        if row is not None:
            fail_delivery(actor=Actor.system("email"), row=row, error=error)
            return int(row.ticket_id)
    return None


def is_sent_by_us(message_id: str) -> bool:
    """An acknowledgement or a notification we sent under this Message-ID."""
    from helpline.mail.models import Acknowledgement, AgentNotification

    return (
        Acknowledgement.objects.filter(message_id=message_id).exists()
        or AgentNotification.objects.filter(message_id=message_id).exists()
    )
