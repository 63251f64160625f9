"""In-app notifications for agents: written here, pushed live to each agent's open workspace
sockets after commit, read on the notifications page. The bell in the top bar loads its count
after the page (one small request), so pages keep their query budgets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import NotPermittedError
from helpline.core.realtime import agent_group, send_to_groups
from helpline.tickets.models import Ticket
from helpline.workflow.models import AgentNotification

MAX_TITLE = 200


def notify_agents(
    *,
    agents: Iterable[User],
    title: str,
    body: str = "",
    ticket: Ticket | None = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> list[AgentNotification]:
    """One notification per active agent (each once), pushed to their screens after commit."""
    now = now or timezone.now()
    seen: set[int] = set()
    rows = []
    for agent in agents:
        if agent.pk in seen or not agent.is_active:
            continue
        seen.add(agent.pk)
        rows.append(
            AgentNotification(
                agent=agent, ticket=ticket, title=title[:MAX_TITLE], body=body, source=source[:100], created_at=now
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        created = AgentNotification.objects.bulk_create(rows)
    link = reverse("web:ticket", args=[ticket.number]) if ticket is not None else ""
    counts = dict(
        AgentNotification.objects.filter(agent_id__in=seen, read_at__isnull=True)
        .values_list("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    sends = [
        (
            agent_group(row.agent_id),
            {
                "type": "notification.new",
                "id": row.pk,
                "title": row.title,
                "body": row.body[:500],
                "link": link,
                "unread": counts.get(row.agent_id, 0),
            },
        )
        for row in created
    ]
    transaction.on_commit(lambda: send_to_groups(sends))
    return created


def unread_count_of(agent_id: int) -> int:
    return AgentNotification.objects.filter(agent_id=agent_id, read_at__isnull=True).count()


def notifications_for(agent: User) -> QuerySet[AgentNotification]:
    return AgentNotification.objects.filter(agent=agent).select_related("ticket").order_by("-created_at", "-id")


def mark_read(*, actor: Actor, ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark the agent's own notifications read (all of them without `ids`); how many changed."""
    if actor.agent is None:
        raise NotPermittedError(_("Only agents have notifications."))
    unread = AgentNotification.objects.filter(agent=actor.agent, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now or timezone.now())
