from __future__ import annotations

import pytest

from helpline.accounts import actions
from helpline.accounts.models import AuditAction, AuditLogEntry, Role
from helpline.accounts.selectors import AUDIT_PAGE_SIZE
from tests.accounts.helpers import signed_in
from tests.factories import make_agent, make_team

pytestmark = pytest.mark.django_db

AUDIT = "/admin/audit/"


@pytest.fixture
def admins():
    return make_agent(Role.ADMIN, username="ana"), make_agent(Role.ADMIN, username="beka")


def test_log_shows_who_what_target_data_ip_and_when(admins):
    ana, _beka = admins
    client = signed_in(ana, REMOTE_ADDR="192.0.2.10")
    target = make_agent(username="dato")
    client.post(f"/admin/agents/{target.pk}/", {"email": target.email, "role": Role.SUPERVISOR, "is_active": "on"})
    response = client.get(AUDIT)
    assert response.status_code == 200
    entry = response.context["page"].entries[0]
    assert entry.action == AuditAction.ROLE_CHANGED
    row = response.content.decode()
    for text in ("Role changed", "dato", "192.0.2.10", ana.name, "&quot;after&quot;: &quot;supervisor&quot;"):
        assert text in row, text
    assert f'datetime="{entry.created_at:%Y-%m-%d}' in row


def test_filter_by_action_and_by_actor(admins):
    ana, beka = admins
    actions.create_team(actor=ana, name="One")
    actions.create_team(actor=beka, name="Two")
    actions.update_team(actor=beka, team=make_team("Three"), description="changed")
    client = signed_in(ana)

    by_action = client.get(AUDIT, {"action": AuditAction.TEAM_CREATED}).context["page"].entries
    assert {e.target_label for e in by_action} == {"One", "Two", "Three"}
    assert {e.action for e in by_action} == {AuditAction.TEAM_CREATED}

    by_actor = client.get(AUDIT, {"actor": beka.pk}).context["page"].entries
    assert {(e.action, e.target_label) for e in by_actor} == {
        (AuditAction.TEAM_CREATED, "Two"),
        (AuditAction.TEAM_UPDATED, "Three"),
    }
    both = client.get(AUDIT, {"actor": beka.pk, "action": AuditAction.TEAM_UPDATED}).context["page"].entries
    assert [e.target_label for e in both] == ["Three"]


def test_unknown_filter_values_show_nothing_with_a_message(admins):
    client = signed_in(admins[0])
    response = client.get(AUDIT, {"actor": "999999"})
    assert response.status_code == 400
    assert response.context["page"].entries == []
    assert "not valid" in response.content.decode()


def test_pages_go_back_in_time_with_filters_kept(admins, django_assert_max_num_queries):
    ana, beka = admins
    for i in range(AUDIT_PAGE_SIZE + 5):
        actions.create_team(actor=beka, name=f"Team {i:03d}")
    actions.create_team(actor=ana, name="Not beka's")
    client = signed_in(ana)
    with django_assert_max_num_queries(6):
        first = client.get(AUDIT, {"actor": beka.pk})
    page = first.context["page"]
    assert len(page.entries) == AUDIT_PAGE_SIZE and page.entries[0].target_label == f"Team {AUDIT_PAGE_SIZE + 4:03d}"
    next_query = first.context["next_query"]
    assert f"actor={beka.pk}" in next_query and f"before={page.next_before}" in next_query
    second = client.get(AUDIT + "?" + next_query).context["page"]
    assert [e.target_label for e in second.entries] == [f"Team {i:03d}" for i in range(4, -1, -1)]
    assert second.next_before is None
    seen = {e.pk for e in page.entries} | {e.pk for e in second.entries}
    assert len(seen) == AUDIT_PAGE_SIZE + 5


def test_audit_rows_outside_requests_have_no_address(admins):
    actions.create_team(actor=admins[0], name="From a command")
    assert AuditLogEntry.objects.get(action=AuditAction.TEAM_CREATED).ip_address is None
