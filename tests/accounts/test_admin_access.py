"""Every administration page: admins only; other roles get 403, anonymous visitors are sent to sign in."""

from __future__ import annotations

import pytest

from helpline.accounts.models import Role, Team, User
from helpline.core.actors import Actor
from helpline.tickets import workspace_actions
from helpline.tickets.models import CustomFieldDefinition, Tag
from tests.accounts.helpers import signed_in
from tests.factories import make_agent, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects() -> dict[str, object]:
    admin = make_agent(Role.ADMIN)
    victim = make_agent(username="victim")
    team = make_team("Billing")
    field = workspace_actions.define_custom_field(actor=Actor.of_agent(admin), key="plan", label="Plan")
    tag = workspace_actions.create_tag(actor=Actor.of_agent(admin), name="vip")
    return {"admin": admin, "victim": victim, "team": team, "field": field, "tag": tag}


def _pages(o: dict) -> list[tuple[str, str, dict]]:
    victim, team, tag = o["victim"], o["team"], o["tag"]
    return [
        ("get", "/admin/agents/", {}),
        ("get", "/admin/agents/new/", {}),
        (
            "post",
            "/admin/agents/new/",
            {"username": "intruder", "role": "admin", "language": "en", "password_mode": "none"},
        ),
        ("get", f"/admin/agents/{victim.pk}/", {}),
        ("post", f"/admin/agents/{victim.pk}/", {"role": "admin", "is_active": "on"}),
        ("post", f"/admin/agents/{victim.pk}/reset-2fa/", {}),
        ("get", "/admin/teams/", {}),
        ("get", "/admin/teams/new/", {}),
        ("post", "/admin/teams/new/", {"name": "Intruders"}),
        ("get", f"/admin/teams/{team.pk}/", {}),
        ("post", f"/admin/teams/{team.pk}/", {"name": "Hacked"}),
        ("get", "/admin/fields/", {}),
        ("get", "/admin/fields/new/", {}),
        ("post", "/admin/fields/new/", {"key": "evil", "label": "Evil", "field_type": "text", "position": "0"}),
        ("get", "/admin/fields/plan/edit/", {}),
        ("post", "/admin/fields/plan/edit/", {"label": "Hacked", "field_type": "text", "position": "0"}),
        ("get", "/admin/tags/", {}),
        ("post", "/admin/tags/", {"name": "evil", "color": "#000000"}),
        ("get", f"/admin/tags/{tag.pk}/", {}),
        ("post", f"/admin/tags/{tag.pk}/", {"name": "hacked", "color": "#000000"}),
        ("post", f"/admin/tags/{tag.pk}/delete/", {}),
        ("get", "/admin/audit/", {}),
        ("get", "/admin/audit/?action=user.created", {}),
    ]


def _unchanged(o: dict) -> None:
    assert not User.objects.filter(username="intruder").exists()
    o["victim"].refresh_from_db()
    assert o["victim"].role == Role.AGENT
    assert set(Team.objects.values_list("name", flat=True)) == {"Billing"}
    assert CustomFieldDefinition.objects.get(key="plan").label == "Plan"
    assert not CustomFieldDefinition.objects.filter(key="evil").exists()
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_other_roles_get_403_everywhere(objects, role):
    client = signed_in(make_agent(role))
    for method, url, data in _pages(objects):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "Only admins" in response.content.decode()
    _unchanged(objects)


def test_anonymous_is_sent_to_sign_in_everywhere(client, objects):
    for method, url, data in _pages(objects):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/?next="), (method, url)
    _unchanged(objects)


def test_deactivated_admin_is_refused(objects):
    admin = make_agent(Role.ADMIN)
    client = signed_in(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    # Django signs inactive users out on the next request; either way no page is served.
    assert client.get("/admin/agents/").status_code in (302, 403)


def test_admin_sees_every_page(objects):
    client = signed_in(objects["admin"])
    for method, url, _data in _pages(objects):
        if method == "get":
            assert client.get(url).status_code == 200, url
