"""Assignment strategies per team: manual, round-robin, least-loaded and skills, respecting agents'
availability, capacity and working hours. VIP customers jump the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from helpline.accounts.models import Role, User
from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import ACTIVE_STATUSES, Status, Ticket, TicketEvent
from helpline.workflow.models import AgentRouting, BusinessCalendar, Strategy, TeamRouting


def routing_actor(strategy: str) -> Actor:
    return Actor.system(f"routing:{strategy}")


def is_vip(ticket: Ticket, config: TeamRouting) -> bool:
    tier = str((ticket.requester.custom_attributes or {}).get("tier", ""))
    return bool(tier and tier in (config.vip_tiers or [])) or "vip" in {t.name for t in ticket.tags.all()}


def required_skills(ticket: Ticket) -> set[str]:
    skills = {f"channel:{ticket.channel}"}
    if ticket.language:
        skills.add(f"lang:{ticket.language}")
    product = (ticket.custom_fields or {}).get("product")
    if product:
        skills.add(f"product:{product}")
    return skills


def _loads(agent_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(assignee_id__in=agent_ids, status__in=ACTIVE_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def eligible_agents(
    config: TeamRouting, now: dt.datetime, *, ignore_capacity: bool = False
) -> list[tuple[User, int, AgentRouting | None]]:
    """Members who can take a ticket now: active full agents, available, within working hours and
    under capacity. Returns (agent, open tickets, profile), in a stable order (by id)."""
    members = list(
        config.team.members.filter(is_active=True)
        .exclude(role=Role.LIGHT_AGENT)
        .select_related("routing", "routing__calendar")
        .order_by("id")
    )
    loads = _loads([m.pk for m in members])
    team_calendar = BusinessCalendar.objects.filter(team_id=config.team_id).first()
    result = []
    for agent in members:
        profile = getattr(agent, "routing", None)
        if profile is not None and not profile.available:
            continue
        if config.respect_working_hours:
            calendar = (profile.calendar if profile is not None else None) or team_calendar
            if calendar is not None and not calendar.to_calendar().is_open(now):
                continue
        capacity = profile.capacity if profile is not None and profile.capacity is not None else config.default_capacity
        load = loads.get(agent.pk, 0)
        if load >= capacity and not ignore_capacity:
            continue
        result.append((agent, load, profile))
    return result


def choose_agent(ticket: Ticket, config: TeamRouting, now: dt.datetime) -> User | None:
    candidates = eligible_agents(config, now, ignore_capacity=is_vip(ticket, config))
    if not candidates:
        return None
    if config.strategy == Strategy.SKILLS:
        wanted = required_skills(ticket)
        scored = [(len(wanted & set((p.skills if p else []) or [])), a, load) for a, load, p in candidates]
        best = max(s for s, _a, _l in scored)
        pool = [(a, load) for s, a, load in scored if s == best]
        return min(pool, key=lambda x: (x[1], x[0].pk))[0]
    if config.strategy == Strategy.LEAST_LOADED:
        return min(((a, load) for a, load, _p in candidates), key=lambda x: (x[1], x[0].pk))[0]
    if config.strategy == Strategy.ROUND_ROBIN:
        ids = [a.pk for a, _l, _p in candidates]
        last = config.last_assigned_id or 0
        after = [a for a, _l, _p in candidates if a.pk > last]
        return after[0] if after else candidates[0][0] if ids else None
    return None


def route_ticket(*, ticket: Ticket, actor: Actor | None = None, now: dt.datetime | None = None) -> User | None:
    """Assign the ticket by its team's strategy; None when manual or nobody can take it (it waits in the queue)."""
    if ticket.team_id is None or ticket.assignee_id is not None or ticket.status not in ACTIVE_STATUSES:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        config = TeamRouting.objects.select_for_update().select_related("team").filter(team_id=ticket.team_id).first()
        if config is None or config.strategy == Strategy.MANUAL:
            return None
        agent = choose_agent(ticket, config, now)
        if agent is None:
            return None
        config.last_assigned = agent
        config.save(update_fields=["last_assigned"])
        ticket_actions.update_ticket(actor=actor or routing_actor(config.strategy), ticket=ticket, assignee=agent)
    return agent


def route_new_ticket(event: TicketEvent) -> None:
    ticket = Ticket.objects.select_related("requester").prefetch_related("tags").get(pk=event.ticket_id)
    route_ticket(ticket=ticket, now=event.created_at)


def queue(config: TeamRouting) -> Any:
    """Unassigned open tickets of the team, VIP customers first, then oldest first."""
    vip = Q(requester__custom_attributes__tier__in=list(config.vip_tiers or [])) | Q(tags__name="vip")
    return (
        Ticket.objects.filter(team_id=config.team_id, assignee__isnull=True, status__in=(Status.NEW, Status.OPEN))
        .annotate(vip_rank=Case(When(vip, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("vip_rank", "created_at", "id")
        .distinct()
    )


def fill_capacity(agent: User, *, now: dt.datetime | None = None) -> list[Ticket]:
    """When an agent frees up, hand them the next queued tickets of their routed teams (VIP first)."""
    now = now or timezone.now()
    assigned = []
    for config in (
        TeamRouting.objects.filter(team__members=agent).exclude(strategy=Strategy.MANUAL).select_related("team")
    ):
        while any(a.pk == agent.pk for a, _l, _p in eligible_agents(config, now)):
            ticket = queue(config).first()
            if ticket is None:
                break
            ticket_actions.update_ticket(actor=routing_actor(config.strategy), ticket=ticket, assignee=agent)
            assigned.append(ticket)
    return assigned
