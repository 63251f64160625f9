"""REST endpoints for agents and teams. Everyone reads; only admins create and change."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from helpline.accounts import actions
from helpline.accounts.models import Role, Team, User
from helpline.core.api_auth import actor_of, agent_of, require_admin
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT
from helpline.core.api_schemas import (
    DbId,
    EmailOrBlank,
    Language,
    PatchField,
    TeamRef,
    TimeZoneName,
    choice_literal,
    objects_named,
    provided,
)
from helpline.core.errors import NotFoundError

router = Router(tags=["agents and teams"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
RoleName = choice_literal(Role)


class AgentOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    language: str
    time_zone: str
    is_active: bool
    teams: list[TeamRef]
    date_joined: dt.datetime
    last_login: dt.datetime | None

    @staticmethod
    def resolve_teams(obj: User) -> list[dict[str, Any]]:
        return [{"id": t.pk, "name": t.name} for t in obj.teams.all()]


class AgentCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    email: EmailOrBlank = ""
    password: str | None = Field(None, min_length=8, max_length=128, description="Write-only; never returned.")
    role: RoleName = "agent"  # type: ignore[valid-type]
    display_name: str = Field("", max_length=150)
    language: Language = "en"
    time_zone: TimeZoneName = "UTC"
    team_ids: list[DbId] = Field(default_factory=list, max_length=100)


class AgentPatchIn(Schema):
    role: RoleName | None = None  # type: ignore[valid-type]
    display_name: str | None = Field(None, max_length=150)
    email: EmailOrBlank | None = None
    language: Language | None = None
    time_zone: TimeZoneName | None = None
    is_active: bool | None = None
    team_ids: list[DbId] | None = Field(None, max_length=100)


class TeamOut(Schema):
    id: int
    name: str
    description: str
    members: list[int]
    created_at: dt.datetime

    @staticmethod
    def resolve_members(obj: Team) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class TeamCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=5_000)
    member_ids: list[DbId] = Field(default_factory=list, max_length=500)


class TeamPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=5_000)
    member_ids: list[DbId] | None = Field(None, max_length=500)


def _agents() -> QuerySet[User]:
    return User.objects.prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))


def _agent(agent_id: int) -> User:
    agent = _agents().filter(pk=agent_id).first()
    if agent is None:
        raise NotFoundError(_("No such agent."))
    return agent


def _team(team_id: int) -> Team:
    team = Team.objects.prefetch_related("members").filter(pk=team_id).first()
    if team is None:
        raise NotFoundError(_("No such team."))
    return team


def _teams(ids: list[int]) -> list[Team]:
    return objects_named(
        Team.objects.all(),
        ids,
        field="team_ids",
        code="invalid_team",
        message=_("Unknown team: %(ids)s"),
        unknown=_("unknown team"),
    )


def _members(ids: list[int]) -> list[User]:
    return objects_named(
        User.objects.all(),
        ids,
        field="member_ids",
        code="invalid_agent",
        message=_("Unknown agent: %(ids)s"),
        unknown=_("unknown agent"),
    )


# -- agents --------------------------------------------------------------------------------------


@router.get("/me", response={200: AgentOut, **ERRORS}, summary="The agent behind this token or session")
def get_me(request: HttpRequest) -> User:
    return _agent(agent_of(request).pk)


@router.get("/agents", response={200: list[AgentOut], **ERRORS}, summary="List agents")
def list_agents(request: HttpRequest) -> QuerySet[User]:
    actor_of(request)
    return _agents().order_by("username")


@router.post("/agents", response={201: AgentOut, **ERRORS}, summary="Create an agent (admins)")
def create_agent(request: HttpRequest, payload: AgentCreateIn) -> Status:
    actor = require_admin(request)
    agent = actions.create_agent(
        actor=actor.agent,
        username=payload.username,
        email=payload.email,
        password=payload.password,
        role=payload.role,
        display_name=payload.display_name,
        language=payload.language,
        time_zone=payload.time_zone,
        teams=_teams(payload.team_ids),
    )
    return Status(201, _agent(agent.pk))


@router.get("/agents/{agent_id}", response={200: AgentOut, **ERRORS}, summary="Get an agent")
def get_agent(request: HttpRequest, agent_id: ObjectId) -> User:
    actor_of(request)
    return _agent(agent_id)


@router.patch("/agents/{agent_id}", response={200: AgentOut, **ERRORS}, summary="Change an agent (admins)")
def update_agent(request: HttpRequest, agent_id: ObjectId, payload: AgentPatchIn) -> User:
    actor = require_admin(request)
    agent = _agent(agent_id)
    changes = provided(
        payload,
        "role",
        "display_name",
        "email",
        "language",
        "time_zone",
        "is_active",
        team_ids=PatchField("teams", _teams),
    )
    actions.update_agent(actor=actor.agent, agent=agent, **changes)
    return _agent(agent_id)


# -- teams ---------------------------------------------------------------------------------------


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="List teams")
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    actor_of(request)
    return Team.objects.prefetch_related("members").order_by("name")


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="Create a team (admins)")
def create_team(request: HttpRequest, payload: TeamCreateIn) -> Status:
    actor = require_admin(request)
    team = actions.create_team(
        actor=actor.agent,
        name=payload.name,
        description=payload.description,
        members=_members(payload.member_ids),
    )
    return Status(201, _team(team.pk))


@router.get("/teams/{team_id}", response={200: TeamOut, **ERRORS}, summary="Get a team")
def get_team(request: HttpRequest, team_id: ObjectId) -> Team:
    actor_of(request)
    return _team(team_id)


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERRORS}, summary="Change a team (admins)")
def update_team(request: HttpRequest, team_id: ObjectId, payload: TeamPatchIn) -> Team:
    actor = require_admin(request)
    team = _team(team_id)
    changes = provided(payload, "name", "description", member_ids=PatchField("members", _members))
    actions.update_team(actor=actor.agent, team=team, **changes)
    return _team(team_id)
