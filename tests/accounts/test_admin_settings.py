"""Teams, custom fields and tags through the administration pages; each change leaves an audit row."""

from __future__ import annotations

import pytest

from helpline.accounts.models import AuditAction, AuditLogEntry, Role, Team
from helpline.core.actors import Actor
from helpline.tickets.models import CustomFieldDefinition, Tag
from tests.accounts.helpers import signed_in
from tests.factories import make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

IP = "198.51.100.77"


@pytest.fixture
def admin():
    return make_agent(Role.ADMIN, username="boss")


@pytest.fixture
def admin_client(admin):
    return signed_in(admin, REMOTE_ADDR=IP)


def _settings_entries() -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=AuditAction.SETTING_CHANGED).order_by("pk"))


# -- teams ---------------------------------------------------------------------------------------


def test_team_create_and_edit_members(admin_client):
    nino, dato = make_agent(username="nino"), make_agent(username="dato")
    assert admin_client.post("/admin/teams/new/", {"name": "Billing", "members": [nino.pk]}).status_code == 302
    team = Team.objects.get(name="Billing")
    assert list(team.members.all()) == [nino]
    created = AuditLogEntry.objects.get(action=AuditAction.TEAM_CREATED)
    assert created.ip_address == IP

    response = admin_client.post(
        f"/admin/teams/{team.pk}/", {"name": "Billing & refunds", "description": "Money", "members": [dato.pk, nino.pk]}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Billing & refunds" and set(team.members.all()) == {nino, dato}
    updated = AuditLogEntry.objects.get(action=AuditAction.TEAM_UPDATED)
    assert updated.data["members"] == [["nino"], ["dato", "nino"]] and updated.ip_address == IP
    listing = admin_client.get("/admin/teams/").content.decode()
    assert "Billing &amp; refunds" in listing and "nino" in listing


def test_team_name_clash_is_refused_with_input_kept(admin_client):
    make_team("Billing")
    response = admin_client.post("/admin/teams/new/", {"name": "Billing", "description": "Second try"})
    assert response.status_code == 409
    assert "Second try" in response.content.decode()
    assert Team.objects.count() == 1


def test_team_list_is_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    members = [make_agent() for _ in range(5)]
    for i in range(8):
        make_team(f"Team {i}", members=members[: i % 5 + 1])
    with django_assert_max_num_queries(6):
        assert admin_client.get("/admin/teams/").status_code == 200


# -- custom fields -------------------------------------------------------------------------------


def test_field_create_and_edit(admin_client):
    response = admin_client.post(
        "/admin/fields/new/",
        {
            "key": "Plan",
            "label": "Plan",
            "field_type": "choice",
            "choices": "Free\nPro\n\n Enterprise \nPro",
            "required": "on",
            "active": "on",
            "position": "2",
        },
    )
    assert response.status_code == 302
    field = CustomFieldDefinition.objects.get(key="plan")
    assert field.choices == ["Free", "Pro", "Enterprise"] and field.required and field.position == 2
    (entry,) = _settings_entries()
    assert entry.data["custom_field"] == "plan" and entry.ip_address == IP and entry.actor.username == "boss"

    edit = admin_client.post(
        "/admin/fields/plan/edit/",
        {"key": "ignored", "label": "Pricing plan", "field_type": "choice", "choices": "Free\nPro", "position": "1"},
    )
    assert edit.status_code == 302
    field.refresh_from_db()
    assert (field.label, field.choices, field.required, field.active) == ("Pricing plan", ["Free", "Pro"], False, False)
    assert not CustomFieldDefinition.objects.filter(key="ignored").exists()
    assert len(_settings_entries()) == 2


def test_choice_field_without_choices_is_refused(admin_client):
    response = admin_client.post(
        "/admin/fields/new/",
        {"key": "plan", "label": "Plan", "field_type": "choice", "choices": " \n ", "position": "0"},
    )
    assert response.status_code == 422
    assert "needs choices" in response.content.decode()
    assert not CustomFieldDefinition.objects.exists() and not _settings_entries()


@pytest.mark.parametrize("key", ["bad key", "semi;colon", "dots.are.bad", "!"])
def test_bad_field_key_is_refused(admin_client, key):
    response = admin_client.post(
        "/admin/fields/new/", {"key": key, "label": "Label kept", "field_type": "text", "position": "0"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "letters, digits" in html and 'value="Label kept"' in html
    assert not CustomFieldDefinition.objects.exists()


def test_existing_key_is_not_overwritten_from_the_new_page(admin_client, admin):
    from helpline.tickets.workspace_actions import define_custom_field

    define_custom_field(actor=Actor.of_agent(admin), key="plan", label="Plan")
    response = admin_client.post(
        "/admin/fields/new/", {"key": "plan", "label": "Other", "field_type": "number", "position": "0"}
    )
    assert response.status_code == 409
    assert CustomFieldDefinition.objects.get(key="plan").label == "Plan"


# -- tags ----------------------------------------------------------------------------------------


def test_tag_list_shows_usage_counts(admin_client, django_assert_max_num_queries):
    make_ticket(tags=["vip", "billing"])
    make_ticket(tags=["vip"])
    with django_assert_max_num_queries(6):
        response = admin_client.get("/admin/tags/")
    counts = {tag.name: tag.usage for tag in response.context["page"]}
    assert counts == {"billing": 1, "vip": 2}


def test_tag_create_rename_delete_are_audited(admin_client):
    assert admin_client.post("/admin/tags/", {"name": "Urgent-Billing", "color": "#FF0000"}).status_code == 302
    tag = Tag.objects.get(name="urgent-billing")
    assert tag.color == "#ff0000"
    ticket = make_ticket(tags=["urgent-billing"])

    assert admin_client.post(f"/admin/tags/{tag.pk}/", {"name": "billing", "color": "#ff0000"}).status_code == 302
    tag.refresh_from_db()
    assert tag.name == "billing"
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing"]

    assert admin_client.post(f"/admin/tags/{tag.pk}/delete/").status_code == 302
    assert not Tag.objects.exists() and not ticket.tags.exists()

    created, renamed, deleted = _settings_entries()
    assert created.data == {"tag": {"created": "urgent-billing", "color": "#ff0000"}}
    assert renamed.data == {"tag": {"name": ["urgent-billing", "billing"]}}
    assert deleted.data == {"tag": {"deleted": "billing", "tickets": 1}}
    assert {e.ip_address for e in (created, renamed, deleted)} == {IP}


def test_tag_clashes_and_bad_colours_are_refused(admin_client):
    make_ticket(tags=["vip", "billing"])
    vip = Tag.objects.get(name="vip")
    again = admin_client.post("/admin/tags/", {"name": "VIP", "color": "#000000"})
    assert again.status_code == 409
    clash = admin_client.post(f"/admin/tags/{vip.pk}/", {"name": "billing", "color": "#000000"})
    assert clash.status_code == 409 and "exists already" in clash.content.decode()
    bad = admin_client.post("/admin/tags/", {"name": "new", "color": "red"})
    assert bad.status_code == 422
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["billing", "vip"]
    assert not _settings_entries()
