"""Receiving a message: raw bytes stored first, one row per (mailbox, Message-ID), then routed to
a ticket in one transaction. A failure of any kind ends in the quarantine, never in a loss.

Public entry points are re-exported by `helpline.mail.actions`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpline.core import batching
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, Customer
from helpline.mail import agent_mail, bounces, content, loops, participants, selectors, threads
from helpline.mail.models import ClosedTicketPolicy, Mailbox, OutboundMail, RawMessage, RawStatus
from helpline.mail.parsing import ParsedMail, parse, quick_message_id
from helpline.mail.store import read_raw, store_raw, store_raws
from helpline.tickets import actions as ticket_actions
from helpline.tickets import delivery_actions, merge_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Status, Ticket

if TYPE_CHECKING:
    from helpline.mail.chunk import Readied, Unparsable
    from helpline.mail.prefetch import Prepared

log = logging.getLogger("helpline.mail.ingest")
MAIL_ACTOR = Actor.system("email")


class Quarantine(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    message_id: str
    outcome: str  # new_ticket, added, reopened, follow_up, duplicate, quarantined, ignored, bounce
    ticket: int | None = None
    reason: str = ""
    raw_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in (None, "")}


def _outcome_of(row: RawMessage, outcome: str | None = None) -> Outcome:
    number = None
    if row.ticket_id and RawMessage._meta.get_field("ticket").is_cached(row) and row.ticket is not None:
        number = row.ticket.number
    elif row.ticket_id:
        number = Ticket.objects.filter(pk=row.ticket_id).values_list("number", flat=True).first()
    reason = row.error.splitlines()[0][:300] if row.error else ""
    if outcome is None and row.status == RawStatus.IGNORED:
        outcome, reason = "ignored", row.outcome
    return Outcome(
        message_id=row.message_id,
        outcome=outcome or row.outcome or row.status,
        ticket=number,
        reason=reason,
        raw_id=row.pk,
    )


def receive(*, mailbox: Mailbox, raw: bytes, source: str = "imap") -> Outcome:
    """Store, record and process one message. Safe to call again with the same bytes."""
    row, created = record(mailbox=mailbox, raw=raw, source=source)
    if not created and row.status != RawStatus.RECEIVED:
        return _outcome_of(row, "duplicate")
    return process(row, raw=raw)


def record(*, mailbox: Mailbox, raw: bytes, source: str) -> tuple[RawMessage, bool]:
    """Store the bytes durably and record the row (`received`), once per mailbox and Message-ID:
    the row, and whether it is new."""
    digest, rel = store_raw(raw)
    message_id = quick_message_id(raw)
    defaults = {"sha256": digest, "size": len(raw), "path": rel, "source": source, "received_at": timezone.now()}
    try:  # the usual case, a message not seen before, costs one INSERT
        with transaction.atomic():
            row, created = RawMessage.objects.create(mailbox=mailbox, message_id=message_id, **defaults), True
    except IntegrityError:
        row, created = RawMessage.objects.get(mailbox=mailbox, message_id=message_id), False
    return row, created


def receive_many(
    *, mailbox: Mailbox, raws: Sequence[bytes], source: str = "imap", prepared: Prepared | None = None
) -> list[Outcome]:
    """A fetched chunk: every message's bytes stored, then the rows of all of them recorded in one
    transaction, then processed (`chunk.process_chunk`: the usual messages together, the others
    one by one as `receive` does). Safe to call again. `prepared`: the same raws already stored,
    with their Message-IDs and parsed forms (`mail.prefetch`)."""
    parsed: dict[str, Readied | Unparsable | None] = {}
    if prepared is not None:
        stored = list(zip(prepared.stored, prepared.message_ids, strict=True))
        for message_id, readied in zip(prepared.message_ids, prepared.parsed, strict=True):
            parsed.setdefault(message_id, readied)  # the first with a Message-ID is the one processed
    else:
        stored = list(zip(store_raws(raws), [quick_message_id(raw) for raw in raws], strict=True))
    now = timezone.now()
    with transaction.atomic():
        RawMessage.objects.bulk_create(
            [
                RawMessage(
                    mailbox=mailbox,
                    message_id=message_id,
                    sha256=digest,
                    size=len(raw),
                    path=rel,
                    source=source,
                    received_at=now,
                )
                for raw, ((digest, rel), message_id) in zip(raws, stored, strict=True)
            ],
            ignore_conflicts=True,  # seen before: that row stands (processed, or to be processed now)
        )
        rows = {
            row.message_id: row
            for row in RawMessage.objects.filter(mailbox=mailbox, message_id__in={m for _s, m in stored})
        }
    from helpline.mail.chunk import process_chunk

    duplicates: list[RawMessage | None] = []  # per message: the row it repeats, None for one to process
    fresh: list[tuple[RawMessage, bytes]] = []
    for raw, (_stored, message_id) in zip(raws, stored, strict=True):
        row = rows[message_id]
        row.mailbox = mailbox
        if row.status != RawStatus.RECEIVED or any(row is seen for seen, _raw in fresh):
            duplicates.append(row)  # seen before, or earlier in this chunk: its outcome once processed
        else:
            fresh.append((row, raw))
            duplicates.append(None)
    processed = iter(process_chunk(mailbox, fresh, parsed))
    return [next(processed) if row is None else _outcome_of(row, "duplicate") for row in duplicates]


class _TakenMeanwhile(Exception):
    """Another worker finished the same row first: this attempt is undone."""


RAW_FIELDS = [f.attname for f in RawMessage._meta.concrete_fields if not f.primary_key]


def _process_fresh(row: RawMessage, raw: bytes) -> Outcome:
    """A row just recorded as received, processed without first re-reading it under a lock: the
    closing update applies only while the row is still `received`, so if another worker processed
    it meanwhile (it waits for that worker's commit) the update finds nothing and this attempt is
    rolled back, leaving the other's outcome."""
    attempts = row.attempts
    try:
        with transaction.atomic():
            row.attempts += 1
            _route(row, raw)
            row.error = ""
            row.processed_at = timezone.now()
            values = {name: getattr(row, name) for name in RAW_FIELDS}
            if not RawMessage.objects.filter(pk=row.pk, status=RawStatus.RECEIVED).update(**values):
                raise _TakenMeanwhile
        if row.status == RawStatus.PROCESSED:
            _count_sender(row)
        return _outcome_of(row)
    except _TakenMeanwhile:
        row.refresh_from_db()
        return _outcome_of(row, "duplicate")
    except Quarantine as exc:
        reason = exc.reason
    except Exception as exc:  # parse failures, unexpected data: keep it, show it, never drop it
        log.exception("mail processing failed raw=%s", row.pk)
        reason = f"processing_error: {type(exc).__name__}: {exc}"[:2000]
    return _quarantine(row, reason, attempts + 1)


def process(row: RawMessage, *, raw: bytes | None = None, retry: bool = False) -> Outcome:
    """Route a stored message; on any failure the row ends quarantined with the reason."""
    try:
        with transaction.atomic():
            locked = RawMessage.objects.select_for_update().select_related("mailbox").get(pk=row.pk)
            if locked.status != RawStatus.RECEIVED and not (retry and locked.status == RawStatus.QUARANTINED):
                return _outcome_of(locked, "duplicate")
            locked.attempts += 1
            _route(locked, read_raw(locked.path) if raw is None else raw)
            locked.error = ""
            locked.processed_at = timezone.now()
            locked.save()
            return _outcome_of(locked)
    except Quarantine as exc:
        reason = exc.reason
    except Exception as exc:  # parse failures, unexpected data: keep it, show it, never drop it
        log.exception("mail processing failed raw=%s", row.pk)
        reason = f"processing_error: {type(exc).__name__}: {exc}"[:2000]
    return _quarantine(row, reason, row.attempts + 1)


def _quarantine(row: RawMessage, reason: str, attempts: int, *, received_only: bool = False) -> Outcome:
    """`received_only`: unless another worker has processed the row meanwhile (its outcome stands,
    and this one is a duplicate)."""
    rows = RawMessage.objects.filter(pk=row.pk)
    if received_only:
        rows = rows.filter(status=RawStatus.RECEIVED)
    updated = rows.update(
        status=RawStatus.QUARANTINED,
        outcome="quarantined",
        error=reason,
        attempts=attempts,
        processed_at=timezone.now(),
    )
    row.refresh_from_db()
    return _outcome_of(row, "quarantined" if updated else "duplicate")


def _own_message_id(message_id: str, own_addresses: set[str]) -> bool:
    """A Message-ID we generated: ours carry one of our mailboxes' domains (or the desk's sender's),
    so other mail needs no lookup."""
    domains = {a.rsplit("@", 1)[-1] for a in own_addresses} | {settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].lower()}
    if message_id.rstrip(">").rsplit("@", 1)[-1].lower() not in domains:
        return False
    if OutboundMail.objects.filter(message_id=message_id).exists() or bounces.is_sent_by_us(message_id):
        return True
    return Message.objects.filter(channel=Channel.EMAIL, external_id=message_id, kind=MessageKind.REPLY).exists()


def _handle_bounce(row: RawMessage, mail: ParsedMail) -> None:
    assert mail.bounce is not None
    if not mail.bounce.failed:  # delivery delayed (still being tried) or done: nothing failed
        row.status, row.outcome = RawStatus.IGNORED, "delivery_report"
        return
    original = mail.bounce.original_message_id
    target = None
    if original:
        outbound = OutboundMail.objects.select_related("ticket_message").filter(message_id=original).first()
        target = outbound.ticket_message if outbound else None
        if target is None and (ticket_id := bounces.mark_bounced(original, mail.bounce.diagnostic)):
            # an acknowledgement or an agent notification: failed, no message of the ticket changes
            row.status, row.outcome, row.ticket_id = RawStatus.PROCESSED, "bounce", ticket_id
            return
        if target is None:
            target = Message.objects.filter(channel=Channel.EMAIL, external_id=original).first()
    if target is None:
        row.status, row.outcome = RawStatus.IGNORED, "bounce_unmatched"
        return
    delivery_actions.set_delivery_status(
        actor=MAIL_ACTOR,
        message=target,
        status=DeliveryStatus.FAILED,
        error=mail.bounce.diagnostic or "bounced",
    )
    if outbound := OutboundMail.objects.filter(ticket_message=target).first():
        OutboundMail.objects.filter(pk=outbound.pk).update(status="failed", last_error=mail.bounce.diagnostic)
    row.status, row.outcome, row.ticket_id = RawStatus.PROCESSED, "bounce", target.ticket_id
    row.ticket_message = target


SENDER_COUNTS_KEY = "mail.sender_counts"


def _rate_limited(row: RawMessage, sender: str) -> bool:
    """More messages processed from this sender in the last hour than the mailbox allows. Inside a
    batch each sender is counted once; the batch's own processed messages are added as they commit."""
    limit = row.mailbox.sender_rate_limit
    if not limit:
        return False
    counts: dict[tuple[int, str], int] = batching.memo(SENDER_COUNTS_KEY, dict)
    key = (row.mailbox_id, sender)
    if key not in counts:
        since = timezone.now() - dt.timedelta(hours=1)
        counts[key] = (
            RawMessage.objects.filter(
                mailbox=row.mailbox, sender=sender, received_at__gte=since, status=RawStatus.PROCESSED
            )
            .exclude(pk=row.pk)
            .count()
        )
    return counts[key] >= limit


def _count_sender(row: RawMessage) -> None:
    """A message from `row.sender` was processed (committed): count it for the rest of the batch."""
    counts: dict[tuple[int, str], int] = batching.memo(SENDER_COUNTS_KEY, dict)
    key = (row.mailbox_id, row.sender)
    if key in counts:
        counts[key] += 1


def own_addresses() -> set[str]:
    """Our mailboxes' addresses (read once per batch)."""
    return batching.memo("mail.own_addresses", selectors.own_addresses)


def _route(row: RawMessage, raw: bytes) -> None:
    mailbox = row.mailbox
    if len(raw) > mailbox.max_message_bytes:
        raise Quarantine(f"too_large: {len(raw)} bytes, the limit is {mailbox.max_message_bytes}")
    mail = parse(raw, message_id=row.message_id)  # the row's Message-ID is read from these bytes
    row.sender = mail.from_address[:255]
    row.subject = mail.subject[:255]
    addresses = own_addresses()
    if loops.is_own_loop(mail, addresses, _own_message_id(mail.message_id, addresses)):
        row.status, row.outcome = RawStatus.IGNORED, "loop"
        return
    if mail.bounce is not None:
        _handle_bounce(row, mail)
        return
    if not mail.from_address:
        raise Quarantine("no_sender: the message has no usable From address")
    if _rate_limited(row, mail.from_address):
        raise Quarantine(f"rate_limited: more than {mailbox.sender_rate_limit} messages from this sender in an hour")
    agent = agent_mail.agent_for(mail.from_address)
    if agent is not None:
        try:
            if agent_mail.deliver(row, mail, agent):
                return
        except HelplineError as exc:
            raise Quarantine(f"agent_mail: {exc.message}") from exc
    try:
        customer, _created = customer_actions.resolve_customer(
            kind="email", value=mail.from_address, name=mail.from_name, channel=Channel.EMAIL
        )
    except HelplineError as exc:
        raise Quarantine(f"invalid_sender: {exc.message}") from exc
    _deliver(row, mail, customer, addresses)


def _deliver(row: RawMessage, mail: ParsedMail, customer: Customer, own_addresses: set[str]) -> None:
    mailbox = row.mailbox
    auto = loops.auto_reason(mail)
    body = content.build_body(mail)
    meta = {"email": content.email_meta(mail, body, mailbox_id=mailbox.pk, raw_id=row.pk, auto=auto)}
    ticket, how = threads.find_ticket(mail, customer)
    previous = None
    outcome = "added"
    if ticket is not None and ticket.status == Status.CLOSED:
        if mailbox.closed_ticket_policy == ClosedTicketPolicy.REOPEN:
            ticket_actions.update_ticket(actor=MAIL_ACTOR, ticket=ticket, status=Status.OPEN)
            ticket.refresh_from_db()
            outcome = "reopened"
        else:
            previous, ticket, outcome = ticket, None, "follow_up"
    actor = Actor.of_customer(customer)
    if ticket is not None:
        meta["email"]["threaded_by"] = how
        author = None
        if ticket.requester_id != customer.pk:  # a colleague in copy answering, or someone new
            actor, author = MAIL_ACTOR, customer
        message: Message | None = ticket_actions.add_message(
            actor=actor,
            author=author,
            ticket=ticket,
            kind=MessageKind.INBOUND,
            **content.message_fields(mail, body, meta),
        )
    else:
        if previous is not None:
            meta["email"]["follow_up_of"] = previous.number
        ticket = ticket_actions.open_ticket(
            actor=actor,
            requester=customer,
            subject=mail.subject or "(no subject)",
            team=mailbox.team,
            **content.message_fields(mail, body, meta),
        )
        message = ticket.messages.order_by("id").first()
        if previous is not None:
            merge_actions.link_tickets(actor=MAIL_ACTOR, source=ticket, target=previous)
        else:
            outcome = "new_ticket"
        if not auto and mailbox.send_acknowledgement:
            _acknowledge(row)
    participants.keep(ticket=ticket, mail=mail, sender=customer, own_addresses=own_addresses)
    if message is not None:
        content.link_message_images(message)
    row.ticket = ticket
    row.ticket_message = message
    row.status = RawStatus.PROCESSED
    row.outcome = outcome


def _acknowledge(row: RawMessage) -> None:
    """Acknowledge the new ticket `row` opened, once it commits: recorded and sent with retries
    (`mail.acknowledgement`), from the mailbox's SMTP server or the desk's email backend."""
    from helpline.mail.tasks import send_acknowledgement

    raw_id = row.pk
    transaction.on_commit(lambda: send_acknowledgement.enqueue(raw_id))
