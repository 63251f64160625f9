"""Notification emails to agents: a new ticket in one of their teams, a ticket assigned to them,
the customer replying on their ticket, an internal note on their ticket (each kind on or off per
agent, on the profile page). Never about the agent's own actions.

A ticket event queues one `AgentNotification` per recipient; a task delivers it in the agent's
language through the ticket's mailbox SMTP (or the desk's email backend), retried with backoff.
All notifications about one ticket share a thread root in References, so mail clients thread them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.accounts.models import NotificationPreferences, User
from helpline.mail import smtp
from helpline.mail.models import AgentNotification, OutboundStatus
from helpline.mail.outbound import mailbox_for, settle_attempt
from helpline.tickets.models import EventKind, Message, MessageKind, Ticket, TicketEvent

STALE_AFTER = dt.timedelta(minutes=30)
"""An event older than this when the worker gets to it is not announced to agents."""

log = logging.getLogger("helpline.mail.notifications")

NEW_TICKET, ASSIGNED, CUSTOMER_REPLIED, INTERNAL_NOTE = NotificationPreferences.KINDS


def _kind_and_candidates(event: TicketEvent) -> tuple[str, list[int]]:
    ticket = event.ticket
    if event.kind == EventKind.CREATED and ticket.team_id:
        members = User.objects.filter(teams__id=ticket.team_id, is_active=True).values_list("pk", flat=True)
        return NEW_TICKET, list(members)
    if event.kind == EventKind.ASSIGNEE_CHANGED and isinstance(event.after, dict) and event.after.get("id"):
        return ASSIGNED, [int(event.after["id"])]
    if event.kind == EventKind.MESSAGE_ADDED and ticket.assignee_id:
        kind = event.data.get("kind")
        if kind == MessageKind.INBOUND and event.created_at != ticket.created_at:  # not the opening message
            return CUSTOMER_REPLIED, [ticket.assignee_id]
        if kind == MessageKind.NOTE:
            return INTERNAL_NOTE, [ticket.assignee_id]
    return "", []


def recipients(event: TicketEvent) -> tuple[str, list[User]]:
    """The kind of notification an event means and the agents who want it (never the actor)."""
    kind, candidates = _kind_and_candidates(event)
    candidates = [pk for pk in candidates if pk != event.actor_agent_id]
    if not candidates:
        return "", []
    agents = list(
        User.objects.filter(pk__in=candidates, is_active=True)
        .exclude(email="")
        .select_related("notification_preferences")
    )
    wanted = []
    for agent in agents:
        try:
            prefs = agent.notification_preferences
        except NotificationPreferences.DoesNotExist:
            prefs = NotificationPreferences(agent=agent)
        if getattr(prefs, kind):
            wanted.append(agent)
    return kind, wanted


def queue_for_event(event: TicketEvent) -> list[int]:
    """Record and enqueue the notifications of one event (runs after the event's commit).
    Events stamped long before now are replays or imports (demo data, a move from another desk):
    nobody is alerted about them."""
    if event.created_at < timezone.now() - STALE_AFTER:
        return []
    kind, agents = recipients(event)
    if not agents:
        return []
    domain = _sender_domain(event.ticket)
    ids: list[int] = []
    for agent in agents:
        try:
            with transaction.atomic():
                note = AgentNotification.objects.create(
                    agent=agent,
                    ticket_id=event.ticket_id,
                    event=event,
                    kind=kind,
                    message_id=make_msgid(idstring="hl-note", domain=domain),
                )
        except IntegrityError:  # the same event seen twice: already queued
            continue
        ids.append(note.pk)
    _enqueue(ids)
    return ids


def _enqueue(ids: Iterable[int]) -> None:
    from helpline.mail.tasks import send_agent_notification

    for pk in ids:
        send_agent_notification.enqueue(pk)


def _sender(ticket: Ticket) -> tuple[str, str]:
    box = mailbox_for(ticket)
    if box is not None and box.smtp_host:
        return box.team.name if box.team else box.name, box.email_address
    return "Helpline", settings.DEFAULT_FROM_EMAIL


def _sender_domain(ticket: Ticket) -> str:
    return _sender(ticket)[1].rsplit("@", 1)[-1] or "helpline.localhost"


def thread_root(ticket: Ticket) -> str:
    """The Message-ID every notification about this ticket refers to (not guessable)."""
    return f"<ticket-{ticket.public_id}@{_sender_domain(ticket)}>"


def _subject(note: AgentNotification, message: Message | None) -> str:
    ticket = note.ticket
    values = {"number": ticket.number, "subject": " ".join(ticket.subject.split())}
    if note.kind == NEW_TICKET:
        return _("[#%(number)s] New ticket: %(subject)s") % values
    if note.kind == ASSIGNED:
        return _("[#%(number)s] Assigned to you: %(subject)s") % values
    author = message.author_name if message is not None else str(ticket.requester)
    if note.kind == CUSTOMER_REPLIED:
        return _("[#%(number)s] %(author)s replied: %(subject)s") % {**values, "author": author}
    return _("[#%(number)s] Internal note from %(author)s: %(subject)s") % {**values, "author": author}


def _event_message(note: AgentNotification) -> Message | None:
    event = note.event
    if event is not None and event.message_id:
        return event.message
    if note.kind == NEW_TICKET:
        return note.ticket.messages.order_by("created_at", "id").first()
    return None


def build(note: AgentNotification) -> EmailMultiAlternatives:
    ticket, agent = note.ticket, note.agent
    message = _event_message(note)
    name, address = _sender(ticket)
    with translation.override(agent.language or settings.LANGUAGE_CODE):
        context = {
            "agent": agent,
            "ticket": ticket,
            "kind": note.kind,
            "message": message,
            "excerpt": (message.body_text[:2000] if message is not None else ""),
            "actor": note.event.actor_name if note.event is not None else "",
            "link": settings.SITE_URL + reverse("web:ticket", args=[ticket.number]),
        }
        subject = _subject(note, message)
        body = render_to_string("mail/email/agent_notification.txt", context)
    root = thread_root(ticket)
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=formataddr((name, address)),
        to=[agent.email],
        headers={
            "Message-ID": note.message_id,
            "In-Reply-To": root,
            "References": root,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "X-Helpline-Ticket": str(ticket.number),
            "X-Helpline-Loop": address,
            "X-Helpline-Notification": note.kind,
        },
    )


def deliver(notification_id: int) -> str:
    """One delivery attempt. Returns "sent", "retry" or "failed" ("" when nothing to do)."""
    note = (
        AgentNotification.objects.select_related("agent", "ticket__requester", "event__message")
        .filter(pk=notification_id)
        .first()
    )
    if note is None or note.status != OutboundStatus.PENDING:
        return ""
    try:
        email = build(note)
        box = mailbox_for(note.ticket)
        if box is not None and box.smtp_host:
            with smtp.connect(box) as conn:
                conn.sendmail(box.email_address, [note.agent.email], email.message().as_bytes())
        else:
            get_connection(fail_silently=False).send_messages([email])
    except Exception as exc:
        failure: Exception | None = exc
    else:
        failure = None
    from helpline.mail.tasks import send_agent_notification

    label = f"agent notification id={note.pk}"
    return settle_attempt(note, failure, retry=send_agent_notification, retry_id=note.pk, label=label)
