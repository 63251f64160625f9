"""Writes to routing settings: a team's strategy and capacity, an agent's availability profile."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from helpline.accounts.models import Team, User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.workflow import availability
from helpline.workflow.models import AgentRouting, Availability, BusinessCalendar, Strategy, TeamRouting
from helpline.workflow.sla_actions import _audit, _require_admin


def save_team_routing(
    *,
    actor: Actor,
    team: Team,
    strategy: str,
    default_capacity: int = 10,
    respect_working_hours: bool = True,
    vip_tiers: Any = (),
) -> TeamRouting:
    _require_admin(actor)
    if strategy not in Strategy.values:
        raise InvalidInputError(_("Unknown routing strategy “%(s)s”.") % {"s": strategy}, code="invalid_strategy")
    if default_capacity < 1:
        raise InvalidInputError(_("Capacity must be at least one ticket."), code="invalid_capacity")
    tiers = [t.strip() for t in (vip_tiers.split(",") if isinstance(vip_tiers, str) else vip_tiers) if str(t).strip()]
    config, _created = TeamRouting.objects.get_or_create(team=team)
    config.strategy, config.default_capacity = strategy, default_capacity
    config.respect_working_hours, config.vip_tiers = respect_working_hours, tiers
    config.save()
    _audit(actor, team, {"routing": strategy, "capacity": default_capacity})
    return config


def save_agent_routing(
    *,
    actor: Actor,
    agent: User,
    status: str | None = None,
    capacity: int | None = None,
    chat_capacity: int | None = None,
    skills: Any = (),
    calendar: BusinessCalendar | None = None,
) -> AgentRouting:
    """An agent's one availability profile (workflow.availability), read by ticket and chat routing:
    skills, ticket capacity (None: the team's default), chat capacity, working hours and, when given,
    the status. Admins set anyone's; agents may set their own."""
    own = actor.agent is not None and actor.agent.pk == agent.pk
    if not (actor.is_system or (actor.agent is not None and actor.agent.is_admin) or own):
        raise NotPermittedError(_("Only admins may change other agents' routing."))
    if capacity is not None and capacity < 0:
        raise InvalidInputError(_("Capacity cannot be negative."), code="invalid_capacity")
    cleaned = sorted(
        {s.strip().lower() for s in (skills.split(",") if isinstance(skills, str) else skills) if str(s).strip()}
    )
    for skill in cleaned:
        if ":" not in skill or skill.split(":", 1)[0] not in ("lang", "channel", "product"):
            raise InvalidInputError(
                _("Skill “%(s)s” should look like lang:ka, channel:email or product:printer.") % {"s": skill},
                code="invalid_skill",
            )
    with transaction.atomic():
        if status is not None or chat_capacity is not None:
            profile = AgentRouting.objects.filter(agent=agent).first()
            availability.set_availability(
                actor=actor,
                agent=agent,
                status=status if status is not None else (profile.status if profile else Availability.OFFLINE),
                chat_capacity=chat_capacity,
            )
        profile, _created = AgentRouting.objects.get_or_create(agent=agent)
        profile.capacity, profile.skills, profile.calendar = capacity, cleaned, calendar
        profile.save(update_fields=["capacity", "skills", "calendar"])
    return profile
