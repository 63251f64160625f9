"""Every write of the email channel: receiving and retrying messages, mailbox settings, tokens."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from helpline.accounts.models import Team
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.mail import spam
from helpline.mail.ingest import Outcome, _quarantine, process, receive, receive_many, record
from helpline.mail.models import (
    Acknowledgement,
    AgentNotification,
    Mailbox,
    MailboxAlias,
    OutboundStatus,
    RawMessage,
    RawStatus,
    TeamSignature,
)
from helpline.mail.tokens import base_address
from helpline.tickets import delivery_actions, permissions

if TYPE_CHECKING:
    from helpline.mail.prefetch import Prepared

__all__ = [
    "Outcome",
    "connect_oauth",
    "fail_delivery",
    "quarantine_message",
    "quarantine_unaddressed",
    "receive_message",
    "receive_messages",
    "retry_message",
    "retry_quarantine",
    "save_mailbox",
    "save_team_signatures",
    "store_message",
    "store_oauth_tokens",
]


def receive_message(*, mailbox: Mailbox, raw: bytes, source: str = "imap") -> Outcome:
    """Take one message as received (IMAP, SMTP receiver, import): stored first, processed once.
    Mail a server marked as spam is stored and held in the quarantine instead."""
    if mailbox.hold_marked_spam and (verdict := spam.marked_spam(raw)):
        return _hold_as_spam(mailbox, raw, source, verdict)
    return receive(mailbox=mailbox, raw=raw, source=source)


def receive_messages(
    *, mailbox: Mailbox, raws: list[bytes], source: str = "imap", prepared: Prepared | None = None
) -> list[Outcome]:
    """A chunk of messages as fetched: all stored and recorded first (one transaction), then
    processed once, the usual ones together in one transaction (`mail.chunk`), the others one by
    one. Outcomes in the order of `raws`. Mail a server marked as spam is stored and held in the
    quarantine instead. `prepared`: these raws already stored and parsed (`mail.prefetch`)."""
    verdicts = [spam.marked_spam(raw) for raw in raws] if mailbox.hold_marked_spam else []
    if not any(verdicts):
        return receive_many(mailbox=mailbox, raws=raws, source=source, prepared=prepared)
    pairs = list(zip(raws, verdicts, strict=True))
    clean = iter(receive_many(mailbox=mailbox, raws=[raw for raw, v in pairs if not v], source=source))
    return [_hold_as_spam(mailbox, raw, source, v) if v else next(clean) for raw, v in pairs]


def store_message(*, mailbox: Mailbox, raw: bytes, source: str) -> Outcome:
    """Store a message durably, to be processed later (`receive_messages` finds its row): the SMTP
    receiver answers 250 once this returns. Outcome "queued" for a new message, "duplicate" for
    one stored before; mail a server marked as spam is held in the quarantine at once ("spam")."""
    if mailbox.hold_marked_spam and (verdict := spam.marked_spam(raw)):
        return _hold_as_spam(mailbox, raw, source, verdict)
    row, created = record(mailbox=mailbox, raw=raw, source=source)
    return Outcome(message_id=row.message_id, outcome="queued" if created else "duplicate", raw_id=row.pk)


def _hold_as_spam(mailbox: Mailbox, raw: bytes, source: str, verdict: str) -> Outcome:
    reason = f"spam: marked by a mail server on the way ({verdict[:200]})"
    return quarantine_message(mailbox=mailbox, raw=raw, source=source, reason=reason, outcome="spam")


def retry_message(*, actor: Actor, raw: RawMessage) -> Outcome:
    """Process a quarantined (or stuck) message again, e.g. after a fix or a settings change."""
    permissions.require(actor.is_system or permissions.can_manage_settings(actor))
    if raw.status not in (RawStatus.QUARANTINED, RawStatus.RECEIVED):
        raise InvalidInputError(_("Only quarantined messages can be retried."), code="not_quarantined")
    if (reason := _over_time(raw)) is not None:
        return _quarantine(raw, reason, raw.attempts + 1)
    return process(raw, retry=True)


RETRY_CHUNK = 200  # quarantined messages retried per task


def retry_quarantine(*, actor: Actor) -> int:
    """Retry every quarantined message but those held as spam (each is released on its own), in
    the background: the task workers parse them in their parse processes, a chunk per task.
    Returns how many are queued."""
    permissions.require(permissions.can_manage_settings(actor))
    from helpline.mail.tasks import retry_quarantined

    ids = list(
        RawMessage.objects.filter(status=RawStatus.QUARANTINED)
        .exclude(outcome="spam")
        .order_by("id")
        .values_list("id", flat=True)
    )

    def enqueue() -> None:
        for start in range(0, len(ids), RETRY_CHUNK):
            retry_quarantined.enqueue(ids[start : start + RETRY_CHUNK])

    transaction.on_commit(enqueue)
    return len(ids)


def retry_quarantined_now(ids: list[int]) -> dict[str, int]:
    """The task's work: each of these messages still quarantined (and not as spam) retried;
    returns the outcomes counted."""
    counts: dict[str, int] = {}
    rows = RawMessage.objects.filter(pk__in=ids, status=RawStatus.QUARANTINED).exclude(outcome="spam")
    for row in rows.select_related("mailbox").order_by("id"):
        outcome = retry_message(actor=Actor.system(), raw=row).outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _over_time(raw: RawMessage) -> str | None:
    """Why a stored message is still quarantined without being parsed here: a parse process could
    not ready it in time (this process's: a worker's, the embedded server's, `mail reprocess`'s; in
    a web process apart from the workers, a child started for this message alone). With parse
    processes off (HELPLINE_MAIL_PARSE_PROCESS=0, the tests), the message is parsed here, unbounded."""
    from helpline.mail import parse_process
    from helpline.mail.store import read_raw

    if not parse_process.enabled():
        return None
    try:
        data = read_raw(raw.path)
    except OSError:  # processing says what is wrong with the stored file
        return None
    return parse_process.over_time(data, raw.message_id)


def fail_delivery(
    *, actor: Actor, row: Acknowledgement | AgentNotification, error: str, attempts: int | None = None
) -> None:
    """An acknowledgement or an agent notification failed for good (refused, retries spent, or
    bounced): marked failed with the error (and the attempts made, when given). An acknowledgement
    newly failed goes into its ticket's history, and so to the ticket's page at once."""
    model = type(row)
    with transaction.atomic():
        was = model.objects.select_for_update().filter(pk=row.pk).values_list("status", flat=True).first()
        if was is None:
            return
        changes: dict[str, Any] = {"status": OutboundStatus.FAILED, "last_error": error[:1000]}
        if attempts is not None:
            changes["attempts"] = attempts
        model.objects.filter(pk=row.pk).update(**changes)
        if isinstance(row, Acknowledgement) and was != OutboundStatus.FAILED:
            delivery_actions.record_mail_failure(
                actor=actor, ticket=row.ticket, mail="acknowledgement", recipient=row.recipient, error=error
            )


MAILBOX_FIELDS = {f.name for f in Mailbox._meta.get_fields() if getattr(f, "concrete", False)} - {
    "id",
    "created_at",
    "last_checked_at",
    "last_error",
    "oauth_access_token",
    "oauth_expires_at",
}
SECRET_FIELDS = {"password", "smtp_password", "oauth_client_secret", "oauth_refresh_token"}


def save_mailbox(
    *, actor: Actor, mailbox: Mailbox | None = None, aliases: list[str] | None = None, **fields: Any
) -> Mailbox:
    """Create or change a mailbox. Secrets left empty keep their stored value. `aliases`: the
    mailbox's other addresses, all of them (None: as they are)."""
    permissions.require(permissions.can_manage_settings(actor))
    unknown = set(fields) - MAILBOX_FIELDS
    if unknown:
        raise InvalidInputError(_("Unknown mailbox setting: %(name)s") % {"name": ", ".join(sorted(unknown))})
    address = (fields.get("email_address") or (mailbox.email_address if mailbox else "")).strip().lower()
    if not address or "@" not in address:
        raise InvalidInputError(_("A mailbox needs an email address."), code="mailbox_address")
    fields["email_address"] = address
    if fields.get("signature"):
        from helpline.mail import signatures

        signatures.validate(fields["signature"])
    others = _alias_list(aliases, address) if aliases is not None else None
    for taken in [address, *(others or [])]:
        if _address_taken(taken, mailbox):
            raise InvalidInputError(
                _("Another mailbox uses %(address)s.") % {"address": taken},
                code="mailbox_exists",
                details={"alias": taken != address},
            )
    with transaction.atomic():
        # re-read: a bound ModelForm has already written the (empty) secrets onto the instance
        target = Mailbox.objects.select_for_update().get(pk=mailbox.pk) if mailbox is not None else Mailbox()
        for name, value in fields.items():
            if name in SECRET_FIELDS and not value and mailbox is not None:
                continue
            setattr(target, name, value)
        target.full_clean(exclude=["password", "smtp_password", "oauth_client_secret", "oauth_refresh_token"])
        target.save()
        if others is not None:
            MailboxAlias.objects.filter(mailbox=target).exclude(address__in=others).delete()
            kept = set(MailboxAlias.objects.filter(mailbox=target).values_list("address", flat=True))
            MailboxAlias.objects.bulk_create([MailboxAlias(mailbox=target, address=a) for a in others if a not in kept])
    return target


def _alias_list(aliases: list[str], address: str) -> list[str]:
    """Other addresses as stored: lower case, without a plus part, once each, not the mailbox's own."""
    cleaned: list[str] = []
    for alias in aliases:
        value = base_address(alias.strip())
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInputError(
                _("“%(value)s” is not an email address.") % {"value": alias.strip()}, code="mailbox_alias"
            ) from None
        if value != address and value not in cleaned:
            cleaned.append(value)
    return cleaned


def _address_taken(address: str, mailbox: Mailbox | None) -> bool:
    """Another mailbox has `address` as its address or as one of its other addresses."""
    boxes = Mailbox.objects.filter(email_address=address)
    aliases = MailboxAlias.objects.filter(address=address)
    if mailbox is not None:
        boxes, aliases = boxes.exclude(pk=mailbox.pk), aliases.exclude(mailbox=mailbox)
    return boxes.exists() or aliases.exists()


def save_team_signatures(*, actor: Actor, team: Team, templates: dict[str, str]) -> list[TeamSignature]:
    """Set a team's reply signatures: `templates` maps a language code ("" for the default) to its
    template; an empty template removes that language's. Every template is checked first (an
    unknown placeholder is refused, named); nothing changes unless all pass."""
    from django.conf import settings

    from helpline.accounts.actions import record_audit
    from helpline.accounts.models import AuditAction
    from helpline.mail import signatures

    permissions.require(permissions.can_manage_settings(actor))
    known = {code for code, _name in settings.LANGUAGES}
    for language, template in templates.items():
        if language and language not in known:
            raise InvalidInputError(_("Unknown language: %(code)s") % {"code": language}, code="signature_language")
        try:
            signatures.validate(template)
        except InvalidInputError as exc:
            exc.details = {**exc.details, "language": language}
            raise
    with transaction.atomic():
        current = {row.language: row for row in TeamSignature.objects.select_for_update().filter(team=team)}
        changes: dict[str, list[str]] = {}
        for language, template in templates.items():
            template = template.strip()
            row = current.get(language)
            before = row.template if row is not None else ""
            if template == before:
                continue
            changes[language or "default"] = [before, template]
            if not template and row is not None:
                row.delete()
                current.pop(language)
            elif row is not None:
                row.template = template
                row.save(update_fields=["template", "updated_at"])
            else:
                current[language] = TeamSignature.objects.create(team=team, language=language, template=template)
        if changes:
            record_audit(actor=actor.agent, action=AuditAction.TEAM_UPDATED, target=team, data={"signature": changes})
    return sorted(current.values(), key=lambda row: row.language)


def store_oauth_tokens(
    *, mailbox: Mailbox, access_token: str, expires_at: dt.datetime, refresh_token: str = ""
) -> Mailbox:
    """Keep refreshed OAuth2 tokens (encrypted at rest); a rotated refresh token replaces the old."""
    updates: dict[str, Any] = {"oauth_access_token": access_token, "oauth_expires_at": expires_at}
    if refresh_token:
        updates["oauth_refresh_token"] = refresh_token
    for name, value in updates.items():
        setattr(mailbox, name, value)
    mailbox.save(update_fields=list(updates))
    return mailbox


def connect_oauth(
    *, actor: Actor, mailbox: Mailbox, access_token: str, refresh_token: str, expires_at: dt.datetime
) -> Mailbox:
    """An admin signed in at the provider: the mailbox signs in with XOAUTH2 and these tokens
    from now on (kept encrypted; the refresh token renews the access token)."""
    from helpline.accounts.actions import record_audit
    from helpline.accounts.models import AuditAction
    from helpline.mail.models import AuthMethod

    permissions.require(permissions.can_manage_settings(actor))
    with transaction.atomic():
        store_oauth_tokens(
            mailbox=mailbox, access_token=access_token, expires_at=expires_at, refresh_token=refresh_token
        )
        mailbox.auth_method, mailbox.last_error = AuthMethod.XOAUTH2, ""
        mailbox.save(update_fields=["auth_method", "last_error"])
        record_audit(
            actor=actor.agent,
            action=AuditAction.SETTING_CHANGED,
            target=mailbox,
            data={"oauth": "connected", "mailbox": mailbox.email_address},
        )
    return mailbox


def record_check(*, mailbox: Mailbox, error: str = "") -> None:
    from django.utils import timezone

    Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=timezone.now(), last_error=error[:2000])


def process_stored(*, raw: RawMessage) -> Outcome:
    """Process a message whose bytes were stored but whose processing never finished."""
    if (reason := _over_time(raw)) is not None:
        return _quarantine(raw, reason, raw.attempts + 1, received_only=True)
    return process(raw)


def quarantine_unaddressed(*, raw: bytes, source: str, reason: str) -> Outcome | None:
    """Keep a message addressed to none of our mailboxes (e.g. posted by a provider's inbound
    webhook): stored and quarantined under the first active mailbox, where an admin sees it and
    a retry processes it into that mailbox. None when there is no mailbox at all."""
    box = Mailbox.objects.filter(active=True).order_by("id").first()
    if box is None:
        return None
    return quarantine_message(mailbox=box, raw=raw, source=source, reason=reason)


def quarantine_message(
    *, mailbox: Mailbox, raw: bytes, source: str, reason: str, outcome: str = "quarantined"
) -> Outcome:
    """Store a message and hold it in the quarantine unprocessed (no ticket, no acknowledgement),
    e.g. one its provider judged spam (`outcome="spam"`). An admin's retry releases it: it is
    then processed as if just received. Once per mailbox and Message-ID, like every message."""
    from django.utils import timezone

    from helpline.mail.ingest import _outcome_of
    from helpline.mail.parsing import parse, quick_message_id
    from helpline.mail.store import store_raw

    digest, rel = store_raw(raw)
    now = timezone.now()
    try:  # who and what, for the admin reviewing the quarantine
        mail = parse(raw)
        sender, subject = mail.from_address[:255], mail.subject[:255]
    except Exception:  # unreadable: the quarantine shows the reason and the raw file
        sender = subject = ""
    row, created = RawMessage.objects.get_or_create(
        mailbox=mailbox,
        message_id=quick_message_id(raw),
        defaults={
            "sha256": digest,
            "size": len(raw),
            "path": rel,
            "source": source,
            "sender": sender,
            "subject": subject,
            "received_at": now,
            "status": RawStatus.QUARANTINED,
            "outcome": outcome,
            "error": reason[:2000],
            "processed_at": now,
        },
    )
    return _outcome_of(row, outcome if created else "duplicate")
