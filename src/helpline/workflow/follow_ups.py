"""Follow-up tasks with reminders: created by agents (or rules), reminded once by the sweep."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.tickets import permissions
from helpline.tickets.models import Ticket
from helpline.workflow import scheduling
from helpline.workflow.models import FollowUp


def create_follow_up(
    *,
    actor: Actor,
    ticket: Ticket,
    agent: User,
    title: str,
    due_at: dt.datetime,
    remind_before: dt.timedelta = dt.timedelta(0),
) -> FollowUp:
    permissions.require(permissions.can_add_note(actor, ticket))
    title = (title or "").strip()
    if not title:
        raise InvalidInputError(_("Say what to follow up on."), code="title_required")
    if not agent.is_active:
        raise InvalidInputError(_("%(name)s is not an active agent.") % {"name": agent}, code="invalid_agent")
    now = timezone.now()
    if due_at <= now:
        raise InvalidInputError(_("The follow-up must be in the future."), code="invalid_due")
    remind_at = max(now, due_at - remind_before)
    follow_up = FollowUp.objects.create(
        ticket=ticket, agent=agent, title=title[:200], due_at=due_at, remind_at=remind_at, created_at=now
    )
    scheduling.schedule_sweep(remind_at)
    return follow_up


def complete_follow_up(*, actor: Actor, follow_up: FollowUp) -> FollowUp:
    if actor.agent is None or (actor.agent.pk != follow_up.agent_id and not actor.agent.is_supervisor_or_admin):
        raise NotPermittedError(_("Only the agent it belongs to can complete this follow-up."))
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
    return follow_up


def run_due_follow_ups(now: dt.datetime) -> int:
    """Remind agents of follow-ups that came due; each reminder is claimed with a conditional UPDATE."""
    sent = 0
    due = FollowUp.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True)
    for follow_up in due.select_related("ticket", "agent")[:500]:
        if not FollowUp.objects.filter(pk=follow_up.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        sent += 1
        if follow_up.agent.email:
            send_mail(
                _("Follow-up on %(ref)s: %(title)s") % {"ref": follow_up.ticket.reference, "title": follow_up.title},
                _("Due %(due)s.\n\n%(ref)s %(subject)s")
                % {
                    "due": timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M"),
                    "ref": follow_up.ticket.reference,
                    "subject": follow_up.ticket.subject,
                },
                None,
                [follow_up.agent.email],
                fail_silently=True,
            )
    return sent
