"""Admin pages: build rules without code (errors name the problem and keep what was typed), dry run,
SLA policies and calendars, macros, routing; only admins get in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.workflow.models import BusinessCalendar, Macro, Rule, SlaPolicy, TeamRouting
from tests.factories import make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_agent(Role.ADMIN))
    return client


def rule_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Printer triage",
        "trigger": "ticket_created",
        "anchor": "",
        "delay_hours": "",
        "position": "1",
        "active": "on",
        "all_field": ["ticket.subject", ""],
        "all_op": ["contains", "is"],
        "all_value": ["printer", ""],
        "any_field": [""],
        "any_op": ["is"],
        "any_value": [""],
        "action_type": ["add_tags", "note", ""],
        "action_target": ["", "", ""],
        "action_text": ["printer", "Printer case for {{ customer.first_name }}", ""],
        "action_extra": ["", "", ""],
        "action_secret": ["", "", ""],
        "action_secret_encrypted": ["", "", ""],
    }
    return data | overrides


def test_admin_builds_a_rule_and_tries_it(admin_client: Client, run: Any) -> None:
    assert admin_client.get("/admin/automations/new/").status_code == 200
    response = admin_client.post("/admin/automations/new/", rule_post())
    assert response.status_code == 302
    rule = Rule.objects.get(name="Printer triage")
    assert rule.active and rule.conditions_all == [{"field": "ticket.subject", "op": "contains", "value": "printer"}]
    assert [a["type"] for a in rule.actions] == ["add_tags", "note"]
    page = admin_client.get(f"/admin/automations/{rule.pk}/").content.decode()
    assert "Printer case for {{ customer.first_name }}" in page
    assert "Printer triage" in admin_client.get("/admin/automations/").content.decode()
    ticket = make_ticket(subject="Printer smoking")
    dry = admin_client.get(f"/admin/automations/{rule.pk}/dry-run/").content.decode()
    assert f"#{ticket.number}" in dry
    admin_client.post(f"/admin/automations/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert not rule.active


def test_rule_builder_sets_a_follow_up(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/automations/new/",
        rule_post(
            action_type=["follow_up", "", ""],
            action_target=["48", "", ""],
            action_text=["Call {{ customer.name }} back", "", ""],
        ),
    )
    assert response.status_code == 302
    rule = Rule.objects.get(name="Printer triage")
    assert rule.actions == [{"type": "follow_up", "title": "Call {{ customer.name }} back", "due_in_hours": 48}]
    page = admin_client.get(f"/admin/automations/{rule.pk}/").content.decode()
    assert 'value="48"' in page and "Call {{ customer.name }} back" in page
    refused = admin_client.post(
        f"/admin/automations/{rule.pk}/",
        rule_post(action_type=["follow_up", "", ""], action_target=["tomorrow", "", ""], action_text=["Call", "", ""]),
    )
    assert refused.status_code == 422 and "tomorrow" in refused.content.decode()


def test_rule_errors_name_the_problem_and_keep_the_input(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/automations/new/",
        rule_post(action_type=["webhook", "", ""], action_target=["ftp://crm.example/in", "", ""]),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "ftp://crm.example/in" in page and "http://" in page
    assert 'value="Printer triage"' in page
    response = admin_client.post("/admin/automations/new/", rule_post(action_text=["x", "Hi {{ customer.shoe }}", ""]))
    assert "customer.shoe" in response.content.decode()
    assert not Rule.objects.exists()


def test_sla_calendar_and_policy_pages(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/sla/calendars/new/",
        {
            "name": "Tbilisi",
            "time_zone": "Asia/Tbilisi",
            "shifts": "mon-fri 09:00-18:00\nsat 22:00-06:00",
            "holidays": "2025-01-07",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Tbilisi")
    assert len(calendar.shifts) == 6 and calendar.holidays == ["2025-01-07"]
    bad = admin_client.post("/admin/sla/calendars/new/", {"name": "Empty", "time_zone": "UTC", "shifts": ""})
    assert bad.status_code == 422 and "at least one working shift" in bad.content.decode()
    response = admin_client.post(
        "/admin/sla/policies/new/",
        {
            "name": "Urgent",
            "cond_priority": "urgent, high",
            "first": "1",
            "resolution": "8",
            "warn": "15",
            "position": "0",
            "business_hours": "on",
            "active": "on",
            "calendar": str(calendar.pk),
        },
    )
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="Urgent")
    assert policy.conditions == {"priority": ["urgent", "high"]} and policy.first_response_minutes == 60
    bad = admin_client.post(
        "/admin/sla/policies/new/",
        {"name": "X", "cond_priority": "sky-high", "first": "1", "warn": "5", "position": "0"},
    )
    assert bad.status_code == 422 and "sky-high" in bad.content.decode()
    assert "Urgent" in admin_client.get("/admin/sla/").content.decode()


def test_macro_and_routing_pages(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/macros/new/",
        {
            "name": "Thanks",
            "body": "Thanks {{ customer.first_name }}",
            "variant_ka": "მადლობა {{ customer.first_name }}",
            "tags": "thanked",
            "status": "solved",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get(name="Thanks")
    assert macro.variants == {"ka": "მადლობა {{ customer.first_name }}"} and len(macro.actions) == 2
    team = make_team()
    response = admin_client.post(
        "/admin/routing/", {"team": team.pk, "strategy": "least_loaded", "capacity": "3", "vip_tiers": "gold"}
    )
    assert response.status_code == 302
    assert TeamRouting.objects.get(team=team).strategy == "least_loaded"


def test_only_admins(db: Any) -> None:
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    for url in ("/admin/automations/", "/admin/sla/", "/admin/macros/", "/admin/routing/"):
        assert client.get(url).status_code == 403
