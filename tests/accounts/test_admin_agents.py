from __future__ import annotations

import pytest

from helpline.accounts.models import AuditAction, AuditLogEntry, Role, User
from tests.accounts.helpers import signed_in
from tests.factories import PASSWORD, make_agent, make_team

pytestmark = pytest.mark.django_db

ADMIN_IP = "203.0.113.50"


@pytest.fixture
def admin() -> User:
    return make_agent(Role.ADMIN, username="boss")


@pytest.fixture
def admin_client(admin):
    return signed_in(admin, REMOTE_ADDR=ADMIN_IP)


def test_admin_creates_an_agent_with_a_password(admin_client, client):
    billing = make_team("Billing")
    response = admin_client.post(
        "/admin/agents/new/",
        {
            "username": "tamar",
            "email": "Tamar@Desk.Example",
            "display_name": "თამარ",
            "role": Role.SUPERVISOR,
            "language": "ka",
            "teams": [billing.pk],
            "password_mode": "set",
            "password": "a-long-initial-password",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/agents/"
    agent = User.objects.get(username="tamar")
    assert (agent.role, agent.language, agent.email, agent.display_name) == (
        "supervisor",
        "ka",
        "tamar@desk.example",
        "თამარ",
    )
    assert list(agent.teams.all()) == [billing]
    entry = AuditLogEntry.objects.get(action=AuditAction.USER_CREATED, target_id=str(agent.pk))
    assert entry.actor.username == "boss" and entry.data == {"role": "supervisor"} and entry.ip_address == ADMIN_IP
    assert client.login(username="tamar", password="a-long-initial-password")
    assert "თამარ" in admin_client.get("/admin/agents/").content.decode()


def test_send_nothing_leaves_no_usable_password(admin_client):
    response = admin_client.post(
        "/admin/agents/new/", {"username": "ghost", "role": Role.AGENT, "language": "en", "password_mode": "none"}
    )
    assert response.status_code == 302
    assert not User.objects.get(username="ghost").has_usable_password()


def test_create_refusals_keep_what_was_typed(admin_client):
    make_agent(username="taken")
    base = {"email": "x@desk.example", "display_name": "Kept Name", "role": Role.AGENT, "language": "en"}
    taken = admin_client.post("/admin/agents/new/", {**base, "username": "taken", "password_mode": "none"})
    assert taken.status_code == 409 and "is taken" in taken.content.decode()
    assert 'value="Kept Name"' in taken.content.decode()
    missing = admin_client.post("/admin/agents/new/", {**base, "username": "newbie", "password_mode": "set"})
    assert missing.status_code == 422 and "initial password" in missing.content.decode()
    weak = admin_client.post(
        "/admin/agents/new/", {**base, "username": "newbie", "password_mode": "set", "password": "password"}
    )
    assert weak.status_code == 422
    assert not User.objects.filter(username="newbie").exists()
    assert not AuditLogEntry.objects.filter(action=AuditAction.USER_CREATED, actor__username="boss").exists()


def test_role_change_is_audited_with_before_after_and_ip(admin_client):
    agent = make_agent(username="dato")
    response = admin_client.post(
        f"/admin/agents/{agent.pk}/",
        {"display_name": "", "email": agent.email, "role": Role.SUPERVISOR, "is_active": "on"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR
    entry = AuditLogEntry.objects.get(action=AuditAction.ROLE_CHANGED)
    assert entry.data == {"before": "agent", "after": "supervisor"}
    assert entry.ip_address == ADMIN_IP and entry.actor.username == "boss" and entry.target_label == "dato"


def test_deactivate_and_change_teams(admin_client):
    team = make_team("Tier 2")
    agent = make_agent(username="dato")
    response = admin_client.post(
        f"/admin/agents/{agent.pk}/", {"email": agent.email, "role": Role.AGENT, "teams": [team.pk]}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active and list(agent.teams.all()) == [team]
    assert AuditLogEntry.objects.filter(action=AuditAction.USER_DEACTIVATED, target_id=str(agent.pk)).exists()
    updated = AuditLogEntry.objects.get(action=AuditAction.USER_UPDATED, target_id=str(agent.pk))
    assert updated.data["teams"] == [[], ["Tier 2"]] and updated.ip_address == ADMIN_IP


def test_admin_cannot_demote_or_deactivate_themself(admin, admin_client):
    page = admin_client.get(f"/admin/agents/{admin.pk}/").content.decode()
    assert "You cannot change this for yourself." in page
    response = admin_client.post(f"/admin/agents/{admin.pk}/", {"email": admin.email, "role": Role.AGENT})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active
    assert not AuditLogEntry.objects.filter(
        action__in=[AuditAction.ROLE_CHANGED, AuditAction.USER_DEACTIVATED]
    ).exists()


def test_unknown_agent_is_404(admin_client):
    assert admin_client.get("/admin/agents/999999/").status_code == 404


def test_agent_list_is_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    teams = [make_team(f"T{i}") for i in range(3)]
    for i in range(12):
        make_agent(teams=teams[: i % 3 + 1])
    with django_assert_max_num_queries(6):
        response = admin_client.get("/admin/agents/")
    assert response.status_code == 200
    assert response.content.decode().count("/admin/agents/") >= 13


def test_password_of_new_agent_is_not_echoed(admin_client):
    response = admin_client.post(
        "/admin/agents/new/",
        {"username": "", "role": Role.AGENT, "language": "en", "password_mode": "set", "password": PASSWORD},
    )
    assert response.status_code == 422 and PASSWORD not in response.content.decode()
