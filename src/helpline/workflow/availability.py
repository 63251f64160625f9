"""Who can take work now: the one source of truth for chat routing and ticket routing.

Each agent has one profile (`AgentRouting`): a status (online, away, offline), a capacity for
tickets (else the team's default) and one for chats, skills (``lang:ka``, ``channel:email``,
``product:printer``; the agent's own language counts as a ``lang:`` skill) and working hours (their
calendar, else their team's). Both kinds of work pick from the same candidates with the same
strategies (round-robin, least-loaded, skills):

- a chat needs someone at the desk: status online, open chats under their chat capacity;
- a ticket needs someone not away (online, or offline within working hours), open tickets other
  than chats under their ticket capacity;
- working hours are respected for both when the team's routing says so (always for a chat without
  a team routing), and a VIP's ticket may go past a full capacity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import Role, Team, User
from helpline.core import realtime
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.customers.models import Channel
from helpline.tickets.models import ACTIVE_STATUSES
from helpline.workflow.models import (
    DEFAULT_CHAT_CAPACITY,
    AgentRouting,
    Availability,
    BusinessCalendar,
    Strategy,
    TeamRouting,
)

Work = Literal["chat", "ticket"]
DEFAULT_TICKET_CAPACITY = 10
MAX_CHAT_CAPACITY = 50


@dataclass
class Candidate:
    agent: User
    load: int  # open chats for chat work, other open tickets for ticket work
    capacity: int
    profile: AgentRouting | None

    @property
    def has_room(self) -> bool:
        return self.load < self.capacity

    @property
    def skills(self) -> set[str]:
        return skills_of(self.agent, self.profile)


def skills_of(agent: User, profile: AgentRouting | None) -> set[str]:
    skills = set((profile.skills if profile is not None else None) or [])
    if agent.language:
        skills.add(f"lang:{agent.language}")
    return skills


def status_of(profile: AgentRouting | None) -> str:
    return profile.status if profile is not None else Availability.OFFLINE


def chat_capacity_of(profile: AgentRouting | None) -> int:
    return profile.chat_capacity if profile is not None else DEFAULT_CHAT_CAPACITY


def _loads(agent_ids: list[int], work: Work) -> dict[int, int]:
    from helpline.tickets.models import Ticket

    chats = Q(channel=Channel.CHAT)
    open_work = Ticket.objects.filter(assignee_id__in=agent_ids, status__in=ACTIVE_STATUSES)
    open_work = open_work.filter(chats) if work == "chat" else open_work.exclude(chats)
    return {r["assignee_id"]: r["n"] for r in open_work.values("assignee_id").annotate(n=Count("id"))}


def _members(team: Team | None, work: Work) -> list[User]:
    agents = team.members.all() if team is not None else User.objects.all()
    if work == "chat":
        agents = agents.filter(routing__status=Availability.ONLINE)
    else:
        agents = agents.exclude(routing__status=Availability.AWAY)
    return list(
        agents.filter(is_active=True)
        .exclude(role=Role.LIGHT_AGENT)
        .select_related("routing", "routing__calendar")
        .order_by("id")
    )


def candidates(
    work: Work,
    *,
    team: Team | None = None,
    now: dt.datetime | None = None,
    respect_hours: bool = True,
    default_capacity: int = DEFAULT_TICKET_CAPACITY,
    ignore_capacity: bool = False,
    exclude: Iterable[int] = (),
) -> list[Candidate]:
    """Agents (of `team`, else everyone) who can take `work` now, in a stable order (by id).
    With `ignore_capacity`, full agents are kept (their `has_room` says so)."""
    now = now or timezone.now()
    excluded = set(exclude)
    members = [m for m in _members(team, work) if m.pk not in excluded]
    loads = _loads([m.pk for m in members], work)
    team_calendar = BusinessCalendar.objects.filter(team_id=team.pk).first() if team is not None else None
    result = []
    for agent in members:
        profile: AgentRouting | None = getattr(agent, "routing", None)
        status = status_of(profile)
        if status == Availability.AWAY or (work == "chat" and status != Availability.ONLINE):
            continue
        if respect_hours:
            calendar = (profile.calendar if profile is not None else None) or team_calendar
            if calendar is not None and not calendar.to_calendar().is_open(now):
                continue
        if work == "chat":
            capacity = chat_capacity_of(profile)
        else:
            capacity = profile.capacity if profile is not None and profile.capacity is not None else default_capacity
        candidate = Candidate(agent=agent, load=loads.get(agent.pk, 0), capacity=capacity, profile=profile)
        if candidate.has_room or ignore_capacity:
            result.append(candidate)
    return result


def choose(
    pool: list[Candidate],
    *,
    strategy: str,
    wanted: set[str] | None = None,
    last_assigned_id: int | None = None,
) -> Candidate | None:
    """One candidate by the strategy: skills (most wanted skills, then least loaded), least loaded,
    or round-robin (the next after the last one given work). Ties go to the lowest id."""
    if not pool:
        return None
    if strategy == Strategy.SKILLS:
        want = wanted or set()
        best = max(len(want & c.skills) for c in pool)
        pool = [c for c in pool if len(want & c.skills) == best]
        return min(pool, key=lambda c: (c.load, c.agent.pk))
    if strategy == Strategy.LEAST_LOADED:
        return min(pool, key=lambda c: (c.load, c.agent.pk))
    if strategy == Strategy.ROUND_ROBIN:
        after = [c for c in pool if c.agent.pk > (last_assigned_id or 0)]
        return after[0] if after else pool[0]
    return None


def pick_chat_agent(
    *, language: str = "", team: Team | None = None, exclude: Iterable[int] = (), now: dt.datetime | None = None
) -> User | None:
    """An online agent with room for one more chat. The team's strategy when it routes (skills
    wanted: the chat channel and the customer's language); otherwise, and for manual teams, the
    least busy, speakers of the customer's language first."""
    config = TeamRouting.objects.filter(team=team).first() if team is not None else None
    if config is not None and config.strategy == Strategy.MANUAL:
        config = None
    respect_hours = config.respect_working_hours if config is not None else True
    pool = candidates("chat", team=team, now=now, respect_hours=respect_hours, exclude=exclude)
    lang = {f"lang:{language}"} if language else set()
    if config is not None:
        chosen = choose(
            pool, strategy=config.strategy, wanted={"channel:chat", *lang}, last_assigned_id=config.last_assigned_id
        )
        if chosen is not None and config.strategy == Strategy.ROUND_ROBIN:
            TeamRouting.objects.filter(pk=config.pk).update(last_assigned=chosen.agent)
    else:
        chosen = choose(pool, strategy=Strategy.SKILLS, wanted=lang)
    return chosen.agent if chosen is not None else None


def chat_candidates(team: Team | None = None, *, exclude: Iterable[int] = ()) -> list[Candidate]:
    """Online agents with room for a chat (transfer targets), least busy first."""
    return sorted(candidates("chat", team=team, exclude=exclude), key=lambda c: (c.load, str(c.agent)))


def online_with_load() -> list[Candidate]:
    """Every agent online, with their open chats and chat capacity (full or off shift too)."""
    return candidates("chat", respect_hours=False, ignore_capacity=True)


def chat_load(agent: User) -> tuple[str, int, int]:
    """(status, open chats, chat capacity) of one agent."""
    profile = AgentRouting.objects.filter(agent=agent).first()
    return status_of(profile), _loads([agent.pk], "chat").get(agent.pk, 0), chat_capacity_of(profile)


def anyone_online() -> bool:
    return AgentRouting.objects.filter(status=Availability.ONLINE, agent__is_active=True).exists()


# -- writes -----------------------------------------------------------------------------------------


def set_availability(
    *, actor: Actor, status: str, chat_capacity: int | None = None, agent: User | None = None
) -> AgentRouting:
    """An agent sets their own status (admins anyone's); going online hands them waiting chats and
    queued tickets. The wall board's agents figure is refreshed."""
    agent = agent or actor.agent
    if agent is None:
        raise NotPermittedError(_("Only agents take chats."))
    own = actor.agent is not None and actor.agent.pk == agent.pk
    if not (own or actor.is_system or (actor.agent is not None and actor.agent.is_admin)):
        raise NotPermittedError(_("Only admins may change other agents' routing."))
    if status not in Availability.values:
        raise InvalidInputError(_("Unknown status."), code="invalid_status")
    if chat_capacity is not None and not 1 <= chat_capacity <= MAX_CHAT_CAPACITY:
        raise InvalidInputError(_("Capacity is between 1 and 50 chats."), code="invalid_capacity")
    with transaction.atomic():
        profile, _created = AgentRouting.objects.select_for_update().get_or_create(agent=agent)
        changed = profile.status != status
        profile.status = status
        if changed:
            profile.status_since = timezone.now()
        if chat_capacity is not None:
            profile.chat_capacity = chat_capacity
        profile.save(update_fields=["status", "status_since", "chat_capacity"])
        transaction.on_commit(lambda: realtime.push_figures_changed("agents"))
        if status == Availability.ONLINE:
            from helpline.chat.tasks import route_chats
            from helpline.workflow.tasks import fill_agent_capacity

            transaction.on_commit(route_chats.enqueue)
            transaction.on_commit(lambda: fill_agent_capacity.enqueue(agent.pk))
    return profile
