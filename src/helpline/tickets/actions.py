"""Every write to tickets, messages, tags and links.

Each action is keyword-only, takes the acting `Actor`, runs in one transaction, records one
`TicketEvent` per change and publishes the events after commit (realtime, webhooks, search,
workflow subscribe through `helpline.core.hooks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import Team, User
from helpline.core import prepared
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError
from helpline.core.html import html_to_text, sanitize_html, text_to_html
from helpline.customers.models import Channel, Customer
from helpline.tickets import permissions
from helpline.tickets.action_support import (
    UNSET,
    ensure_writable,
    lock_ticket,
    publish_events,
    record_event,
    tags_by_name,
    validate_choice,
)
from helpline.tickets.attachments import IncomingFile, attachment_for
from helpline.tickets.custom_fields import clean_custom_fields
from helpline.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    DeliveryStatus,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from helpline.tickets.numbers import next_ticket_numbers


class TicketClosedError(ConflictError):
    code = "ticket_closed"


# -- helpers -------------------------------------------------------------------------------------


def _next_ticket_number() -> int:
    return next_ticket_numbers(1)[0]


def clean_body(body_text: str, body_html: str) -> tuple[str, str]:
    """A message's text and HTML as stored: the HTML sanitised (made from the text when there is
    none), the text taken from the HTML when there is none."""
    clean_html = sanitize_html(body_html) if body_html else ""
    text = body_text.strip() if body_text else (html_to_text(clean_html) if clean_html else "")
    if not clean_html and text:
        clean_html = text_to_html(text)
    return text, clean_html


def _store_attachments(message: Message, files: Sequence[IncomingFile]) -> list[Attachment]:
    stored = []
    for incoming in files:
        attachment = attachment_for(message, incoming)
        attachment.save()
        stored.append(attachment)
    return stored


# -- opening and messages ------------------------------------------------------------------------


def open_ticket(
    *,
    actor: Actor,
    requester: Customer,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    channel: str = Channel.WEB,
    message_kind: str = MessageKind.INBOUND,
    priority: str = Priority.NORMAL,
    ticket_type: str = "",
    status: str | None = None,
    assignee: User | None = None,
    team: Team | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    language: str = "",
    attachments: Sequence[IncomingFile] = (),
    external_id: str = "",
    meta: dict[str, Any] | None = None,
    created_at: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket with its first message. Agents open on behalf of a customer (`message_kind`
    reply or note); customers and channels open with an inbound message."""
    subject = (subject or "").strip()
    if not subject:
        subject = (body_text or html_to_text(body_html) or "").strip().split("\n", 1)[0][:120]
    if not subject:
        raise InvalidInputError(_("A subject or a message is required."), code="subject_required")
    if actor.agent is not None:
        permissions.require(permissions.can_update(actor, Ticket(requester=requester)))
    elif actor.customer is not None and actor.customer.pk != requester.pk:
        permissions.require(False)
    validate_choice(channel, Channel.values, _("Channel"))
    validate_choice(priority, Priority.values, _("Priority"))
    validate_choice(message_kind, MessageKind.values, _("Message kind"))
    if ticket_type:
        validate_choice(ticket_type, TicketType.values, _("Type"))
    if status:
        validate_choice(status, Status.values, _("Status"))
    fields = clean_custom_fields(custom_fields or {}, partial=False, enforce_required=actor.is_agent)
    text, html = clean_body(body_text, body_html)
    now = created_at or timezone.now()
    if requester.merged_into_id and requester.merged_into is not None:
        requester = requester.merged_into

    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=_next_ticket_number(),
            subject=subject[:250],
            status=status or (Status.OPEN if assignee else Status.NEW),
            priority=priority,
            ticket_type=ticket_type,
            channel=channel,
            requester=requester,
            organization=requester.organizations.first(),
            assignee=assignee,
            team=team,
            custom_fields=fields,
            language=language or requester.language,
            created_at=now,
            updated_at=now,
            last_message_at=now if (text or html or attachments) else None,
        )
        tag_objects = tags_by_name(tags)
        if tag_objects:
            ticket.tags.set(tag_objects)
        events = [
            record_event(
                ticket,
                actor,
                EventKind.CREATED,
                after={
                    "subject": ticket.subject,
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "channel": ticket.channel,
                    "assignee": assignee.pk if assignee else None,
                    "team": team.pk if team else None,
                    "tags": [t.name for t in tag_objects],
                },
                at=now,
            )
        ]
        if text or html or attachments:
            message = Message.objects.create(
                ticket=ticket,
                kind=message_kind,
                channel=channel,
                author_agent=actor.agent,
                author_customer=requester if message_kind == MessageKind.INBOUND else None,
                body_text=text,
                body_html=html,
                external_id=external_id,
                meta=meta or {},
                delivery_status=DeliveryStatus.QUEUED if message_kind == MessageKind.REPLY else "",
                created_at=now,
            )
            _store_attachments(message, attachments)
            events.append(
                record_event(
                    ticket,
                    actor,
                    EventKind.MESSAGE_ADDED,
                    message=message,
                    data={"kind": message_kind, "channel": channel},
                    at=now,
                )
            )
        publish_events(events)
    return ticket


def add_message(
    *,
    actor: Actor,
    ticket: Ticket,
    kind: str,
    body_text: str = "",
    body_html: str = "",
    channel: str | None = None,
    attachments: Sequence[IncomingFile] = (),
    external_id: str = "",
    meta: dict[str, Any] | None = None,
    new_status: str | None = None,
    created_at: dt.datetime | None = None,
    author: Customer | None = None,
    ticket_locked: bool = False,
    external_id_checked: bool = False,
) -> Message:
    """Add a customer message, an agent reply or an internal note, and move the status along:
    a customer writing reopens a pending/solved ticket; an agent's reply opens a new one.

    `author`: the customer who wrote an inbound message a channel (a system actor) takes in on
    their behalf, e.g. a colleague of the requester in copy answering by email.
    `ticket_locked`: the caller's open transaction read `ticket` under its row lock
    (`select_for_update`), so it is neither read again nor wrapped in a savepoint; a failure then
    rolls back the caller's transaction. `external_id_checked`: that read also found no message with
    this external id (under the ticket's lock), so it is not looked up again."""
    validate_choice(kind, MessageKind.values, _("Message kind"))
    if author is not None:
        permissions.require(actor.is_system and kind == MessageKind.INBOUND)
    if kind == MessageKind.NOTE:
        permissions.require(permissions.can_add_note(actor, ticket))
        if actor.is_customer:
            permissions.require(False)
    else:
        permissions.require(permissions.can_reply(actor, ticket))
    if kind == MessageKind.INBOUND and actor.is_agent:
        raise InvalidInputError(
            _("Agents reply or add notes; customer messages come from customers."), code="invalid_kind"
        )
    if new_status:
        validate_choice(new_status, Status.values, _("Status"))
        if actor.is_agent:
            permissions.require(permissions.can_update(actor, ticket))
        if actor.is_customer and new_status not in (Status.SOLVED,):
            permissions.require(False)
    text, html = clean_body(body_text, body_html)
    if not text and not attachments:
        raise InvalidInputError(_("The message is empty."), code="message_empty")
    now = created_at or timezone.now()
    if ticket_locked and not transaction.get_connection().in_atomic_block:
        raise ValueError("ticket_locked needs the caller's transaction that holds the lock")

    with transaction.atomic(savepoint=not ticket_locked):
        ticket = ticket if ticket_locked else lock_ticket(ticket)
        ensure_writable(ticket)
        if ticket.status == Status.CLOSED and kind != MessageKind.NOTE:
            raise TicketClosedError(
                _("Ticket %(ref)s is closed; open a follow-up instead.") % {"ref": ticket.reference}
            )
        if external_id and not external_id_checked:
            existing = Message.objects.filter(channel=channel or ticket.channel, external_id=external_id).first()
            if existing is not None:
                return existing  # idempotent: the same channel message arrives twice
        message = Message(
            ticket=ticket,
            kind=kind,
            channel=channel or ticket.channel,
            author_agent=actor.agent,
            author_customer=author or (actor.customer if kind == MessageKind.INBOUND else None),
            body_text=text,
            body_html=html,
            external_id=external_id,
            meta=meta or {},
            delivery_status=DeliveryStatus.QUEUED if kind == MessageKind.REPLY else "",
            created_at=now,
        )
        prepared.insert(message)
        _store_attachments(message, attachments)
        events = [
            record_event(
                ticket,
                actor,
                EventKind.MESSAGE_ADDED,
                message=message,
                data={"kind": kind, "channel": message.channel},
                at=now,
            )
        ]
        update_fields = ["updated_at"]
        ticket.updated_at = now
        if kind != MessageKind.NOTE:
            ticket.last_message_at = now
            update_fields.append("last_message_at")
        target_status = new_status
        if target_status is None and (
            kind == MessageKind.INBOUND
            and ticket.status in (Status.PENDING, Status.SOLVED, Status.ON_HOLD)
            or kind == MessageKind.REPLY
            and ticket.status == Status.NEW
        ):
            target_status = Status.OPEN
        # Only a person answers first: automatic replies (acknowledgements, the answer bot, rules) don't.
        if kind == MessageKind.REPLY and actor.agent is not None and ticket.first_response_at is None:
            ticket.first_response_at = now
            update_fields.append("first_response_at")
        if target_status and target_status != ticket.status:
            events.append(_change_status(ticket, actor, target_status, now))
            update_fields += ["status", "solved_at", "closed_at"]
        prepared.update(ticket, update_fields)
        publish_events(events)
    return message


def add_reply(
    *,
    actor: Actor,
    ticket: Ticket,
    body_text: str = "",
    body_html: str = "",
    attachments: Sequence[IncomingFile] = (),
    new_status: str | None = None,
) -> Message:
    return add_message(
        actor=actor,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
        new_status=new_status,
    )


def add_internal_note(
    *, actor: Actor, ticket: Ticket, body_text: str = "", body_html: str = "", attachments: Sequence[IncomingFile] = ()
) -> Message:
    return add_message(
        actor=actor,
        ticket=ticket,
        kind=MessageKind.NOTE,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
    )


def _change_status(ticket: Ticket, actor: Actor, status: str, now: dt.datetime) -> TicketEvent:
    before = ticket.status
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    elif status in ACTIVE_STATUSES:
        ticket.solved_at = None
        ticket.closed_at = None
    return record_event(ticket, actor, EventKind.STATUS_CHANGED, before=before, after=status, at=now)


# -- changing a ticket ---------------------------------------------------------------------------


def update_ticket(
    *,
    actor: Actor,
    ticket: Ticket,
    subject: str = UNSET,
    status: str = UNSET,
    priority: str = UNSET,
    ticket_type: str = UNSET,
    assignee: User | None = UNSET,
    team: Team | None = UNSET,
    language: str = UNSET,
    tags: Iterable[str] = UNSET,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
    custom_fields: dict[str, Any] = UNSET,
) -> list[TicketEvent]:
    """Change any of a ticket's attributes; only what differs is written and recorded."""
    if actor.is_customer:
        # Customers may only mark their own ticket solved.
        permissions.require(
            permissions.can_view_ticket(actor, ticket)
            and status in (UNSET, Status.SOLVED)
            and all(v is UNSET for v in (subject, priority, ticket_type, assignee, team, language, tags, custom_fields))
            and not add_tags
            and not remove_tags
        )
    else:
        permissions.require(permissions.can_update(actor, ticket))
    if status is not UNSET:
        validate_choice(status, Status.values, _("Status"))
    if priority is not UNSET:
        validate_choice(priority, Priority.values, _("Priority"))
    if ticket_type is not UNSET and ticket_type:
        validate_choice(ticket_type, TicketType.values, _("Type"))
    if subject is not UNSET and not (subject or "").strip():
        raise InvalidInputError(_("The subject cannot be empty."), code="subject_required")
    if assignee is not UNSET and assignee is not None and (not assignee.is_active):
        raise InvalidInputError(_("%(name)s is not an active agent.") % {"name": assignee}, code="invalid_assignee")
    if custom_fields is not UNSET:
        custom_fields = clean_custom_fields(custom_fields, partial=True, enforce_required=False)

    now = timezone.now()
    with transaction.atomic():
        ticket_locked = lock_ticket(ticket)
        ensure_writable(ticket_locked)
        events: list[TicketEvent] = []
        fields: list[str] = []

        def simple(attr: str, value: Any, kind: str) -> None:
            if value is UNSET or getattr(ticket_locked, attr) == value:
                return
            before = getattr(ticket_locked, attr)
            setattr(ticket_locked, attr, value)
            fields.append(attr)
            events.append(record_event(ticket_locked, actor, kind, before=before, after=value, at=now))

        simple("subject", subject.strip()[:250] if subject is not UNSET else UNSET, EventKind.SUBJECT_CHANGED)
        simple("priority", priority, EventKind.PRIORITY_CHANGED)
        simple("ticket_type", ticket_type, EventKind.TYPE_CHANGED)
        simple("language", language, EventKind.LANGUAGE_CHANGED)

        def relation(attr: str, value: Any, kind: str, ref: Callable[[Any], dict[str, Any] | None]) -> bool:
            if value is UNSET or getattr(ticket_locked, f"{attr}_id") == (value.pk if value else None):
                return False
            before = ref(getattr(ticket_locked, attr))
            events.append(record_event(ticket_locked, actor, kind, before=before, after=ref(value), at=now))
            setattr(ticket_locked, attr, value)
            fields.append(attr)
            return True

        assigned = relation("assignee", assignee, EventKind.ASSIGNEE_CHANGED, _agent_ref)
        if assigned and assignee is not None and ticket_locked.status == Status.NEW and status is UNSET:
            status = Status.OPEN
        relation("team", team, EventKind.TEAM_CHANGED, _team_ref)
        if status is not UNSET and status != ticket_locked.status:
            events.append(_change_status(ticket_locked, actor, status, now))
            fields += ["status", "solved_at", "closed_at"]
        if custom_fields is not UNSET:
            merged = {**ticket_locked.custom_fields}
            for key, value in custom_fields.items():
                if merged.get(key) != value:
                    events.append(
                        record_event(
                            ticket_locked,
                            actor,
                            EventKind.FIELD_CHANGED,
                            before=merged.get(key),
                            after=value,
                            data={"field": key},
                            at=now,
                        )
                    )
                    if value in (None, ""):
                        merged.pop(key, None)
                    else:
                        merged[key] = value
            if merged != ticket_locked.custom_fields:
                ticket_locked.custom_fields = merged
                fields.append("custom_fields")
        current = sorted(ticket_locked.tags.values_list("name", flat=True))
        wanted = set(current) if tags is UNSET else {t.strip().lower()[:60] for t in tags if t.strip()}
        wanted |= {t.strip().lower()[:60] for t in add_tags if t.strip()}
        wanted -= {t.strip().lower()[:60] for t in remove_tags}
        if sorted(wanted) != current:
            ticket_locked.tags.set(tags_by_name(wanted))
            events.append(
                record_event(ticket_locked, actor, EventKind.TAGS_CHANGED, before=current, after=sorted(wanted), at=now)
            )
        if events:
            ticket_locked.updated_at = now
            ticket_locked.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
            publish_events(events)
    _refresh(ticket, ticket_locked)
    return events


def _refresh(stale: Ticket, fresh: Ticket) -> None:
    for field in Ticket._meta.concrete_fields:
        setattr(stale, field.attname, getattr(fresh, field.attname))
    if hasattr(stale, "_prefetched_objects_cache"):
        stale._prefetched_objects_cache = {}


def _agent_ref(agent: User | None) -> dict[str, Any] | None:
    return {"id": agent.pk, "name": str(agent)} if agent else None


def _team_ref(team: Team | None) -> dict[str, Any] | None:
    return {"id": team.pk, "name": team.name} if team else None


def bulk_update_tickets(*, actor: Actor, tickets: Sequence[Ticket], **changes: Any) -> int:
    """Apply the same change to many tickets, each in its own transaction (one failure does not
    undo the others). Returns how many tickets changed."""
    changed = 0
    for ticket in tickets:
        if update_ticket(actor=actor, ticket=ticket, **changes):
            changed += 1
    return changed


def change_requester(*, actor: Actor, ticket: Ticket, requester: Customer) -> TicketEvent | None:
    permissions.require(permissions.can_update(actor, ticket))
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.requester_id == requester.pk:
            return None
        event = record_event(
            locked, actor, EventKind.REQUESTER_CHANGED, before={"id": locked.requester_id}, after={"id": requester.pk}
        )
        locked.requester = requester
        locked.updated_at = timezone.now()
        locked.save(update_fields=["requester", "updated_at"])
        publish_events([event])
    _refresh(ticket, locked)
    return event


def set_message_language(*, actor: Actor, message: Message, language: str, confidence: float, method: str) -> None:
    """Record the language detected for a message (in its meta; no event: nothing a person did)."""
    meta = {**(message.meta or {}), **language_meta(language=language, confidence=confidence, method=method)}
    Message.objects.filter(pk=message.pk).update(meta=meta)
    message.meta = meta


def language_meta(*, language: str, confidence: float, method: str) -> dict[str, Any]:
    """How a message's meta keeps its detected language (a channel may detect it as it stores the
    message, so no second write is needed)."""
    return {"language": language, "language_confidence": round(confidence, 3), "language_method": method}
