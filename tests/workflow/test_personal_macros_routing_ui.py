"""Agents keep their own macros in the web UI; admins set each agent's routing profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.core.actors import Actor
from helpline.workflow import macros
from helpline.workflow.models import AgentRouting, BusinessCalendar, Macro
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_agent_creates_edits_and_switches_off_a_personal_macro(run: Any) -> None:
    agent, other = make_agent(username="ana"), make_agent(username="bo")
    client = _client(agent)
    assert client.get("/workflow/macros/").status_code == 200
    response = client.post(
        "/workflow/macros/new/",
        {"name": "My thanks", "body": "Thanks {{ customer.first_name }}", "variant_ka": "მადლობა", "tags": "thanked"},
    )
    assert response.status_code == 302
    macro = Macro.objects.get(name="My thanks")
    assert macro.owner == agent and macro.variants == {"ka": "მადლობა"} and macro.actions[0]["type"] == "add_tags"
    ticket = run(make_ticket)
    assert "My thanks" in client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "My thanks" not in _client(other).get(f"/tickets/{ticket.number}/").content.decode()
    assert _client(other).get(f"/workflow/macros/{macro.pk}/").status_code == 404
    edited = client.post(f"/workflow/macros/{macro.pk}/", {"name": "My thanks", "body": "Cheers"})
    assert edited.status_code == 302 and Macro.objects.get(pk=macro.pk).body == "Cheers"
    client.post(f"/workflow/macros/{macro.pk}/toggle/")
    assert not Macro.objects.get(pk=macro.pk).active
    assert "My thanks" not in client.get(f"/tickets/{ticket.number}/").content.decode()


def test_broken_personal_macro_is_refused_with_the_reason() -> None:
    client = _client(make_agent(username="cy"))
    response = client.post("/workflow/macros/new/", {"name": "Bad", "body": "Hi {{ customer.shoe_size }}"})
    assert response.status_code == 422
    assert "customer.shoe_size" in response.content.decode()
    assert not Macro.objects.filter(name="Bad").exists()


def test_agents_cannot_touch_shared_macros() -> None:
    admin, agent = make_agent("admin", username="root"), make_agent(username="dee")
    shared = macros.save_macro(actor=Actor.of_agent(admin), name="Shared", body="Hello", shared=True)
    assert _client(agent).get(f"/workflow/macros/{shared.pk}/").status_code == 404
    assert _client(agent).post(f"/workflow/macros/{shared.pk}/toggle/").status_code == 404
    assert "Shared" in _client(agent).get("/workflow/macros/").content.decode()


def test_admin_sets_agent_skills_capacity_and_hours() -> None:
    admin, agent = make_agent("admin", username="root"), make_agent(username="eve")
    calendar = BusinessCalendar.objects.create(
        name="Late shift", shifts=[{"weekday": 0, "start": "14:00", "end": "22:00"}]
    )
    client = _client(admin)
    page = client.get("/admin/routing/").content.decode()
    assert "data-agent-routing" in page and str(agent) in page
    response = client.post(
        "/admin/routing/",
        {
            "agent": agent.pk,
            "skills": "lang:KA, channel:email",
            "capacity": "4",
            "chat_capacity": "2",
            "status": "away",
            "calendar": calendar.pk,
        },
    )
    assert response.status_code == 302
    profile = AgentRouting.objects.get(agent=agent)
    assert profile.skills == ["channel:email", "lang:ka"] and profile.capacity == 4
    assert profile.calendar == calendar and profile.status == "away" and profile.chat_capacity == 2
    bad = client.post("/admin/routing/", {"agent": agent.pk, "skills": "colour:blue", "status": "online"})
    assert bad.status_code == 422 and "colour:blue" in bad.content.decode()
    assert client.post("/admin/routing/", {"agent": agent.pk, "capacity": "many"}).status_code == 422
    assert _client(agent).get("/admin/routing/").status_code == 403
