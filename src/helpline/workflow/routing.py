"""Ticket assignment per team: manual, round-robin, least-loaded and skills, picking from the same
candidates as chat routing (workflow.availability: status, capacity, skills, working hours). VIP
customers jump the queue and may go past a full capacity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import ACTIVE_STATUSES, Status, Ticket, TicketEvent
from helpline.workflow import availability
from helpline.workflow.availability import Candidate
from helpline.workflow.models import Strategy, TeamRouting


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


def eligible_agents(config: TeamRouting, now: dt.datetime, *, ignore_capacity: bool = False) -> list[Candidate]:
    """Members who can take a ticket now (workflow.availability): not away, within working hours
    when the team respects them, under capacity (unless `ignore_capacity`). Stable order (by id)."""
    return availability.candidates(
        "ticket",
        team=config.team,
        now=now,
        respect_hours=config.respect_working_hours,
        default_capacity=config.default_capacity,
        ignore_capacity=ignore_capacity,
    )


def choose_agent(ticket: Ticket, config: TeamRouting, now: dt.datetime) -> User | None:
    pool = eligible_agents(config, now, ignore_capacity=is_vip(ticket, config))
    chosen = availability.choose(
        pool, strategy=config.strategy, wanted=required_skills(ticket), last_assigned_id=config.last_assigned_id
    )
    return chosen.agent if chosen is not None else None


def route_ticket(*, ticket: Ticket, actor: Actor | None = None, now: dt.datetime | None = None) -> User | None:
    """Assign the ticket by its team's strategy; None when manual or nobody can take it (it waits in the
    queue). A chat goes to an agent online with room for it (workflow.availability.pick_chat_agent)."""
    if ticket.team_id is None or ticket.assignee_id is not None or ticket.status not in ACTIVE_STATUSES:
        return None
    now = now or timezone.now()
    if ticket.channel == Channel.CHAT:
        language = ticket.requester.language or ticket.language
        with transaction.atomic():
            agent = availability.pick_chat_agent(language=language, team=ticket.team, now=now)
            if agent is not None:
                ticket_actions.update_ticket(actor=actor or routing_actor("chat"), ticket=ticket, assignee=agent)
        return agent
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
    if event.ticket.team_id is None or event.ticket.assignee_id is not None:
        return  # as the ticket was when the task started: no team to route in, or already assigned
    ticket = Ticket.objects.select_related("requester", "team").prefetch_related("tags").get(pk=event.ticket_id)
    route_ticket(ticket=ticket, now=event.created_at)


def vip_first(tickets: QuerySet[Ticket], tiers: list[str]) -> QuerySet[Ticket]:
    """VIP customers' tickets (tagged vip, or the requester's tier among `tiers`) first, then oldest first."""
    tagged = Exists(Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name="vip"))
    vip = Q(tagged) | Q(requester__custom_attributes__tier__in=tiers) if tiers else Q(tagged)
    ranked = tickets.annotate(vip_rank=Case(When(vip, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return ranked.order_by("vip_rank", "created_at", "id")


def all_vip_tiers() -> list[str]:
    """The VIP tiers of every team's routing (chats without a team use them all)."""
    tiers: set[str] = set()
    for listed in TeamRouting.objects.values_list("vip_tiers", flat=True):
        tiers.update(str(t) for t in listed or [])
    return sorted(tiers)


def queue(config: TeamRouting) -> Any:
    """Unassigned open tickets of the team, VIP customers first, then oldest first."""
    waiting = Ticket.objects.filter(
        team_id=config.team_id, assignee__isnull=True, status__in=(Status.NEW, Status.OPEN)
    ).exclude(channel=Channel.CHAT)  # chats wait for an agent online (chat.assignment)
    return vip_first(waiting, list(config.vip_tiers or []))


def fill_capacity(agent: User, *, now: dt.datetime | None = None) -> list[Ticket]:
    """When an agent frees up, hand them the next queued tickets of their routed teams (VIP first)."""
    now = now or timezone.now()
    assigned = []
    for config in (
        TeamRouting.objects.filter(team__members=agent).exclude(strategy=Strategy.MANUAL).select_related("team")
    ):
        while any(c.agent.pk == agent.pk for c in eligible_agents(config, now)):
            ticket = queue(config).first()
            if ticket is None:
                break
            ticket_actions.update_ticket(actor=routing_actor(config.strategy), ticket=ticket, assignee=agent)
            assigned.append(ticket)
    return assigned
