"""A fetched chunk of mail processed together: the usual messages (a customer writing a new
conversation or answering one that is open) of the chunk go through in one transaction, with one
look-up each for the senders, the threads and the sender limits, and the tickets, messages, events
and attachments written a statement each (`tickets.inbound_batch`).

Everything else (loops, bounces, a closed or merged ticket, a sender over the limit, a message that
cannot be parsed) goes through `ingest._process_fresh` one
by one, in its place in the chunk. If the chunk's transaction fails for any reason, it is undone as
a whole and its messages are processed one by one, so a bad message is quarantined alone.
Raw bytes and RawMessage rows are stored before any of this (`ingest.receive_many`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from helpline.assist.language import Detection, detect_language, ticket_language
from helpline.core import batching
from helpline.core.bulk import update_rows
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, Customer
from helpline.mail import agent_mail, content, loops, participants
from helpline.mail.ingest import (
    MAIL_ACTOR,
    SENDER_COUNTS_KEY,
    Outcome,
    _acknowledge,
    _count_sender,
    _outcome_of,
    _own_message_id,
    _process_fresh,
    _quarantine,
    own_addresses,
)
from helpline.mail.models import Mailbox, OutboundMail, RawMessage, RawStatus
from helpline.mail.parsing import ParsedMail, parse
from helpline.mail.tokens import subject_number, ticket_number_from_address
from helpline.tickets.actions import clean_body, language_meta
from helpline.tickets.inbound_batch import InboundItem, lock_tickets, receive_inbound
from helpline.tickets.models import Message, Status, Ticket

log = logging.getLogger("helpline.mail.ingest")
RAW_UPDATE = ["sender", "subject", "status", "outcome", "ticket", "ticket_message", "attempts", "error", "processed_at"]


@dataclass
class Readied:
    """What a parsed message becomes before any database work: its visible body (quotes folded,
    remote images blocked, attachments checked) and its language. Made as the chunk is processed,
    or ahead of it in the prefetch thread (`mail.prefetch`)."""

    mail: ParsedMail
    body: content.Body
    detection: Detection | None
    stored: tuple[str, str]  # the text and HTML as the message stores them (`clean_body`)
    opening_language: str  # the language of a ticket this message opens (`ticket_language`)


def ready(mail: ParsedMail) -> Readied:
    body = content.build_body(mail)
    text = body.text.strip()
    detection = detect_language(text[:2000]) if text else None
    return Readied(
        mail, body, detection, clean_body(body.text, body.html), ticket_language(detection, body.text)
    )


@dataclass(frozen=True)
class Unparsable:
    """A message the parse process could not ready in time, or died on (`parse_process`): it is
    quarantined with `reason` (the worker does not parse it again itself)."""

    reason: str


@dataclass
class _Mail:
    row: RawMessage
    raw: bytes
    mail: ParsedMail | None = None
    readied: Readied | None = None
    alone: bool = False  # processed one by one
    unparsable: str = ""  # quarantined at once with this reason
    refs: list[str] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)  # ticket numbers of valid reply tokens, in address order
    subject_number: int | None = None


def process_chunk(
    mailbox: Mailbox,
    fresh: list[tuple[RawMessage, bytes]],
    parsed: dict[str, Readied | Unparsable | None] | None = None,
) -> list[Outcome]:
    """Outcomes in the order of `fresh` (rows just recorded as received). `parsed`: by Message-ID,
    the messages parsed and readied already (None for one that could not be: it goes the one-by-one
    way; `Unparsable`: quarantined with its reason)."""
    ours, agents = own_addresses(), agent_mail.agent_addresses()  # read once for the chunk
    mails = [_prepare(mailbox, row, raw, parsed or {}, ours, agents) for row, raw in fresh]
    outcomes: list[Outcome] = []
    start = 0
    while start < len(mails):
        if mails[start].unparsable:
            row = mails[start].row
            log.warning("mail quarantined raw=%s: %s", row.pk, mails[start].unparsable)
            outcomes.append(_quarantine(row, mails[start].unparsable, row.attempts + 1, received_only=True))
            start += 1
            continue
        if mails[start].alone:
            outcomes.append(_process_fresh(mails[start].row, mails[start].raw))
            start += 1
            continue
        end = start
        while end < len(mails) and not mails[end].alone:
            end += 1
        done = _run_together(mailbox, mails[start:end])
        outcomes += done
        start += len(done)
    return outcomes


def _prepare(
    mailbox: Mailbox,
    row: RawMessage,
    raw: bytes,
    parsed: dict[str, Readied | Unparsable | None],
    addresses: set[str],
    agents: dict[str, int],
) -> _Mail:
    row.mailbox = mailbox
    entry = _Mail(row, raw)
    if len(raw) > mailbox.max_message_bytes:
        entry.alone = True
        return entry
    if row.message_id in parsed:
        found = parsed[row.message_id]
        if isinstance(found, Unparsable):
            entry.alone, entry.unparsable = True, found.reason
            return entry
        entry.readied = found
        mail = entry.readied.mail if entry.readied is not None else None
    else:
        try:
            mail = parse(raw, message_id=row.message_id)  # the row's Message-ID is read from these bytes
        except Exception:  # the one-by-one path quarantines it with the reason
            mail = None
    if mail is None:
        entry.alone = True
        return entry
    entry.mail = mail
    if (
        mail.bounce is not None
        or not mail.from_address
        or loops.is_own_loop(mail, addresses, _own_message_id(mail.message_id, addresses))
        or mail.from_address.lower() in agents  # an agent's: `agent_mail`
    ):
        entry.alone = True
    entry.tokens = [n for a in [mail.reply_to, *mail.recipients] if (n := ticket_number_from_address(a)) is not None]
    entry.subject_number = subject_number(mail.subject)
    entry.refs = list(dict.fromkeys([*reversed(mail.in_reply_to), *reversed(mail.references)]))[:50]
    return entry


def _run_together(mailbox: Mailbox, mails: list[_Mail]) -> list[Outcome]:
    """Process a prefix of `mails` (at least one) together; returns its outcomes."""
    try:
        with transaction.atomic():
            outcomes = _together(mailbox, mails)
    except Exception:
        log.exception("a chunk of %s messages failed together; processing them one by one", len(mails))
        return [_process_fresh(m.row, m.raw) for m in mails]
    return outcomes or [_process_fresh(mails[0].row, mails[0].raw)]  # the first needs the one-by-one path


def _rate_counts(mailbox: Mailbox, senders: set[str]) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = batching.memo(SENDER_COUNTS_KEY, dict)
    missing = {s for s in senders if (mailbox.pk, s) not in counts}
    if missing and mailbox.sender_rate_limit:
        since = timezone.now() - dt.timedelta(hours=1)
        found = dict(
            RawMessage.objects.filter(
                mailbox=mailbox, sender__in=missing, received_at__gte=since, status=RawStatus.PROCESSED
            )
            .values_list("sender")
            .annotate(n=Count("id"))
            .values_list("sender", "n")
        )
        for sender in missing:
            counts[(mailbox.pk, sender)] = found.get(sender, 0)
    return counts


def _thread_candidates(mails: list[_Mail]) -> tuple[dict[str, int], dict[str, int]]:
    """Message-ID → ticket id: of our messages (as `threads.find_ticket` looks first), and of sent
    mail and received raw messages (looked at when the directly answered message is not ours)."""
    refs = {ref for m in mails for ref in m.refs}
    if not refs:
        return {}, {}
    messages = dict(
        Message.objects.filter(channel=Channel.EMAIL, external_id__in=refs).values_list("external_id", "ticket_id")
    )
    earlier: dict[str, int] = {}  # Message-ID → the position of the first mail of the chunk that has it
    for position, m in enumerate(mails):
        if m.mail is not None:
            earlier.setdefault(m.mail.message_id, position)
    others: set[str] = {  # when the answered message is neither ours nor earlier in the chunk
        ref
        for position, m in enumerate(mails)
        if m.refs and m.refs[0] not in messages and earlier.get(m.refs[0], position) >= position
        for ref in m.refs
    }
    fallback: dict[str, int] = {}
    if others:
        fallback.update(
            OutboundMail.objects.filter(message_id__in=others).values_list("message_id", "ticket_message__ticket_id")
        )
        for message_id, ticket_id in RawMessage.objects.filter(message_id__in=others, ticket__isnull=False).values_list(
            "message_id", "ticket_id"
        ):
            if ticket_id is not None:
                fallback.setdefault(message_id, ticket_id)
    return messages, fallback


def _together(mailbox: Mailbox, mails: list[_Mail]) -> list[Outcome]:
    ids = [m.row.pk for m in mails]
    locked = set(
        RawMessage.objects.select_for_update()
        .filter(pk__in=ids, status=RawStatus.RECEIVED)
        .values_list("pk", flat=True)
    )
    if len(locked) != len(ids):
        raise RuntimeError("another worker took some of these messages")
    parsed = [m.mail for m in mails if m.mail is not None]
    # A new customer starts with the language of their first message when it would be its ticket's
    # (`ticket_language`; the worker sets the others' afterwards, as before, and their tickets keep none).
    languages: dict[str, str] = {}
    for m in mails:
        if m.mail is None:
            continue
        m.readied = m.readied or ready(m.mail)
        languages.setdefault(m.mail.from_address, m.readied.opening_language)
    customers = customer_actions.resolve_customers(
        kind="email",
        senders=[(p.from_address, p.from_name) for p in parsed],
        channel=Channel.EMAIL,
        languages=languages,
    )
    counts = _rate_counts(mailbox, {p.from_address for p in parsed})
    messages, fallback = _thread_candidates(mails)
    numbers = {n for m in mails for n in m.tokens} | {m.subject_number for m in mails if m.subject_number is not None}
    tickets = lock_tickets({*messages.values(), *fallback.values()}, numbers=numbers)
    addresses = own_addresses()
    items: list[InboundItem] = []
    in_chunk: dict[str, int] = {}  # Message-ID → index of the item that brought it
    tally: dict[str, int] = {}
    for mail in mails:
        assert mail.mail is not None
        parsed_mail = mail.mail
        found = customers.get(parsed_mail.from_address.lower())
        limit = mailbox.sender_rate_limit
        sender_count = counts.get((mailbox.pk, parsed_mail.from_address), 0) + tally.get(parsed_mail.from_address, 0)
        if found is None or (limit and sender_count >= limit):
            break  # an invalid sender or one over the limit: the one-by-one path says why
        item = _item(mailbox, mail, found[0], tickets, messages, fallback, in_chunk, items)
        if item is None:
            break
        if item.external_id:
            in_chunk.setdefault(item.external_id, len(items))
        items.append(item)
        tally[parsed_mail.from_address] = tally.get(parsed_mail.from_address, 0) + 1
    if not items:
        return []
    receive_inbound(actor_for_others=MAIL_ACTOR, items=items)
    now = timezone.now()
    rows = []
    for mail, item in zip(mails, items, strict=False):
        assert mail.mail is not None and item.ticket is not None
        participants.keep(ticket=item.ticket, mail=mail.mail, sender=item.sender, own_addresses=addresses)
        message = item.message
        if message is not None and not item.duplicate and "cid:" in message.body_html.lower():
            linked = content.link_inline_images(message.body_html, item.stored_attachments)
            Message.objects.filter(pk=message.pk).update(body_html=linked)
        row = mail.row
        row.sender, row.subject = mail.mail.from_address[:255], mail.mail.subject[:255]
        row.status, row.outcome = RawStatus.PROCESSED, "new_ticket" if item.opened else "added"
        row.ticket, row.ticket_message = item.ticket, message
        row.attempts, row.error, row.processed_at = row.attempts + 1, "", now
        rows.append(row)
        if item.opened and not item.meta["email"]["auto"] and mailbox.send_acknowledgement:
            _acknowledge(row)
    update_rows(RawMessage, rows, RAW_UPDATE)

    def count_senders() -> None:
        for row in rows:
            _count_sender(row)

    transaction.on_commit(count_senders)
    return [_outcome_of(row) for row in rows]


def _item(
    mailbox: Mailbox,
    mail: _Mail,
    customer: Customer,
    tickets: dict[int, Ticket],
    messages: dict[str, int],
    fallback: dict[str, int],
    in_chunk: dict[str, int],
    items: list[InboundItem],
) -> InboundItem | None:
    """The item for one message, or None when it needs the one-by-one path (closed or merged ticket)."""
    parsed = mail.mail
    assert parsed is not None
    ticket: Ticket | None = None
    joins: int | None = None
    how = "references"
    by_number = {t.number: t for t in tickets.values()}
    for number in mail.tokens:  # as `threads.find_ticket`: a reply token first
        if number not in by_number:
            return None  # (a ticket of this very chunk, say): the one-by-one path looks again
        ticket, how = by_number[number], "token"
        break
    refs = mail.refs if ticket is None else []
    if refs:
        found: dict[str, int | tuple[int]] = {ref: messages[ref] for ref in refs if ref in messages}
        found.update({ref: (in_chunk[ref],) for ref in refs if ref in in_chunk})
        if refs[0] not in found:
            for ref, ticket_id in fallback.items():
                found.setdefault(ref, ticket_id)
        for ref in refs:
            if ref not in found:
                continue
            target = found[ref]
            if isinstance(target, tuple):  # a message earlier in this chunk
                earlier = items[target[0]]
                if earlier.ticket is not None:
                    ticket = earlier.ticket
                else:
                    joins = earlier.joins if earlier.joins is not None else target[0]
            else:
                ticket = tickets.get(target)
                if ticket is None:
                    return None
            break
    if ticket is None and joins is None and mail.subject_number is not None:  # then [#N] from its requester
        numbered = by_number.get(mail.subject_number)
        if numbered is None:
            return None
        if numbered.requester_id == customer.pk:
            ticket, how = numbered, "subject"
    if ticket is not None and (ticket.merged_into_id or ticket.status == Status.CLOSED):
        return None
    readied = mail.readied
    assert readied is not None  # `_together` readies every parsed mail before its items
    body = readied.body
    meta = {
        "email": content.email_meta(
            parsed, body, mailbox_id=mailbox.pk, raw_id=mail.row.pk, auto=loops.auto_reason(parsed)
        )
    }
    if ticket is not None or joins is not None:
        meta["email"]["threaded_by"] = how
    detection = readied.detection
    if detection is not None:  # kept with the message, "" for no answer: no second look or write for it
        meta.update(
            language_meta(language=detection.language, confidence=detection.confidence, method=detection.method)
        )
    return InboundItem(
        sender=customer,
        channel=Channel.EMAIL,
        subject=parsed.subject or "(no subject)",
        body_text=readied.stored[0],
        body_html=readied.stored[1],
        clean=True,
        external_id=parsed.message_id,
        meta=meta,
        attachments=body.attachments,
        ticket=ticket,
        joins=joins,
        team=mailbox.team,
        language=readied.opening_language if ticket is None and joins is None else "",
    )
