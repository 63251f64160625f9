"""Agents and teams through the API: everyone reads, admins write, every change is audited."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.accounts.models import AuditAction, AuditLogEntry, Role, User
from tests.api.conftest import ApiClient, assert_error, token_for
from tests.factories import make_agent, make_team

pytestmark = pytest.mark.django_db


def test_admin_creates_and_changes_an_agent(admin_api: ApiClient, admin: Any) -> None:
    team = make_team("Support")
    created = admin_api.post(
        "/agents",
        {
            "username": "nino",
            "email": "Nino@Desk.example",
            "password": "long-enough-password",
            "role": "light_agent",
            "display_name": "Nino",
            "language": "ka",
            "time_zone": "Asia/Tbilisi",
            "team_ids": [team.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["role"], body["language"], body["email"]) == ("light_agent", "ka", "nino@desk.example")
    assert body["teams"] == [{"id": team.pk, "name": "Support"}]
    new_token = token_for(User.objects.get(pk=body["id"]))
    assert ApiClient(new_token).get("/me").json()["username"] == "nino"

    changed = admin_api.patch(f"/agents/{body['id']}", {"role": "agent", "team_ids": []})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["role"], changed.json()["teams"]) == ("agent", [])
    actions = set(AuditLogEntry.objects.filter(actor=admin).values_list("action", flat=True))
    assert {AuditAction.USER_CREATED, AuditAction.ROLE_CHANGED, AuditAction.USER_UPDATED} <= actions


def test_agent_input_errors(admin_api: ApiClient, admin: Any) -> None:
    make_agent(username="taken")
    assert_error(admin_api.post("/agents", {"username": "taken"}), 409, "username_taken")
    assert (
        "time_zone"
        in assert_error(admin_api.post("/agents", {"username": "x", "time_zone": "Mars/Base"}), 422)["details"][
            "fields"
        ]
    )
    assert_error(admin_api.post("/agents", {"username": "y", "password": "password"}), 422)
    assert (
        "email"
        in assert_error(admin_api.post("/agents", {"username": "w", "email": "no-at-sign"}), 422)["details"]["fields"]
    )
    assert_error(admin_api.post("/agents", {"username": "z", "team_ids": [999999]}), 422, "invalid_team")
    assert_error(admin_api.patch(f"/agents/{admin.pk}", {"role": "agent"}), 422, "self_change")
    assert_error(admin_api.patch("/agents/999999", {"display_name": "x"}), 404)


def test_teams(admin_api: ApiClient, agent_api: ApiClient, agent: Any) -> None:
    created = admin_api.post("/teams", {"name": "Billing", "member_ids": [agent.pk]})
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    assert created.json()["members"] == [agent.pk]
    renamed = admin_api.patch(f"/teams/{team_id}", {"name": "Payments", "member_ids": []}).json()
    assert (renamed["name"], renamed["members"]) == ("Payments", [])
    assert [t["name"] for t in agent_api.get("/teams").json()] == ["Payments"]
    assert agent_api.get(f"/teams/{team_id}").json()["name"] == "Payments"
    assert_error(admin_api.post("/teams", {"name": "Payments"}), 409)
    assert_error(admin_api.post("/teams", {"name": "X", "member_ids": [999999]}), 422, "invalid_agent")


def test_agents_list_is_query_bounded(agent_api: ApiClient, django_assert_max_num_queries: Any) -> None:
    team = make_team()
    for _ in range(20):
        make_agent(Role.AGENT, teams=[team])
    with django_assert_max_num_queries(4):
        assert len(agent_api.get("/agents").json()) == 21
