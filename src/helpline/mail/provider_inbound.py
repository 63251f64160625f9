"""Inbound mail from email service providers through django-anymail's inbound webhooks
(`/anymail/postmark/inbound/`, `/anymail/mailgun/inbound_mime/`, …): the message takes the same
road as IMAP and SMTP mail, through `receive_message` (raw bytes stored first, processed once per
mailbox and Message-ID, quarantined on failure), so a provider's retry is a duplicate, never a
second ticket.

The request is authenticated by anymail before the signal fires: HTTP basic auth with
`ANYMAIL_WEBHOOK_SECRET` and, where the provider signs its posts (Mailgun), the signature. A
provider without its own signature is refused unless the shared secret is configured.

Mail the provider judged spam is stored and held in the quarantine (outcome "spam"): no ticket, no
acknowledgement; an admin releases it with the quarantine's retry.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.mail.selectors import mailbox_for_address

log = logging.getLogger("helpline.mail.provider_inbound")
# Providers whose posts anymail always checks against a signature (others: only the shared secret,
# or a signature only when its key happens to be configured).
SIGNED_PROVIDERS = {"mailgun", "mailersend", "postal"}


def raw_bytes(event: Any) -> bytes:
    """The message as the provider received it: its raw MIME when the payload carries it
    (Postmark's RawEmail, Mailgun's body-mime, SendGrid's email), else the message anymail built from the parsed
    fields, with a Message-ID from the provider's event id when it has none (so a retried post
    is recognised)."""
    esp = event.esp_event
    text = None
    if isinstance(esp, dict):
        text = esp.get("RawEmail")
    elif isinstance(esp, HttpRequest):
        text = esp.POST.get("body-mime") or esp.POST.get("email")  # Mailgun's, SendGrid's "send raw"
    if text:
        return str(text).encode("utf-8", "surrogateescape")
    data: bytes = event.message.as_bytes()
    if not event.message.get("Message-ID") and event.event_id:
        newline = b"\r\n" if b"\r\n" in data[:2000] else b"\n"
        data = f"Message-ID: <{event.event_id}@inbound.helpline.invalid>".encode() + newline + data
    return data


def recipients(message: Any) -> list[str]:
    """Where the provider delivered the message first, then what its headers name."""
    found = [message.envelope_recipient] if message.envelope_recipient else []
    for header in ("Delivered-To", "X-Original-To", "To", "Cc", "Bcc"):
        found += [a.addr_spec for a in _addresses(message, header)]
    return [a for a in found if a]


def _addresses(message: Any, header: str) -> list[Any]:
    try:
        return list(message.get_address_header(header))
    except Exception:  # an unparsable header names nobody
        return []


def mailbox_for(message: Any) -> Mailbox | None:
    for address in recipients(message):
        box = mailbox_for_address(address)
        if box is not None:
            return box
    return None


def spam_reason(message: Any, box: Mailbox) -> str:
    """Why the provider's verdict holds this message as spam ("" when it does not): its own
    yes/no (Postmark, Mailgun, Amazon SES), else its score against the mailbox's threshold
    (SendGrid, Mailjet, Mandrill, Brevo give only a score)."""
    detected = getattr(message, "spam_detected", None)
    try:
        score = float(message.spam_score) if getattr(message, "spam_score", None) is not None else None
    except (TypeError, ValueError):
        score = None
    scored = f" (score {score:g})" if score is not None else ""
    if detected is True:
        return f"spam: the provider judged it spam{scored}"
    threshold = box.spam_score_threshold
    if detected is None and score is not None and threshold is not None and score >= threshold:
        return f"spam: the provider's spam score {score:g} is at or above the mailbox's threshold {threshold:g}"
    return ""


def _shared_secret_configured() -> bool:
    return bool((getattr(settings, "ANYMAIL", {}) or {}).get("WEBHOOK_SECRET")) or bool(
        getattr(settings, "ANYMAIL_WEBHOOK_SECRET", None)
    )


def on_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    provider = esp_name.lower()
    if provider not in SIGNED_PROVIDERS and not _shared_secret_configured():
        log.error("inbound webhook from %s refused: set ANYMAIL_WEBHOOK_SECRET to accept it", esp_name)
        raise PermissionDenied("inbound webhooks need ANYMAIL_WEBHOOK_SECRET")
    raw = raw_bytes(event)
    source = provider.replace(" ", "_")[:20]
    box = mailbox_for(event.message)
    spam = spam_reason(event.message, box) if box is not None else ""
    if box is not None and spam:  # held for an admin to review and release, never answered
        outcome = actions.quarantine_message(mailbox=box, raw=raw, source=source, reason=spam, outcome="spam")
    elif box is not None:
        outcome = actions.receive_message(mailbox=box, raw=raw, source=source)
    else:
        named = ", ".join(recipients(event.message)[:5]) or "nobody"
        reason = f"no_mailbox: none of the recipients ({named}) is a mailbox address"
        found = actions.quarantine_unaddressed(raw=raw, source=source, reason=reason)
        if found is None:  # no mailbox at all yet: the provider keeps the message and retries
            raise RuntimeError("no active mailbox to receive provider mail into")
        outcome = found
    log.info("inbound %s message=%s outcome=%s", provider, outcome.message_id, outcome.outcome)


def connect() -> None:
    try:
        from anymail.signals import inbound
    except ImportError:  # django-anymail is optional
        return
    inbound.connect(on_inbound, dispatch_uid="helpline.mail.provider_inbound")
