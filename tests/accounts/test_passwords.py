from __future__ import annotations

import pytest
from django.test import Client

from helpline.accounts.models import AuditLogEntry, Role
from tests.factories import PASSWORD, make_agent, make_customer

pytestmark = pytest.mark.django_db


def test_agent_changes_own_password_and_stays_signed_in():
    agent = make_agent()
    client = Client()
    client.force_login(agent)
    wrong = client.post(
        "/accounts/password/",
        {"current_password": "nope", "new_password": "n3w-Secret-pass", "confirm_password": "n3w-Secret-pass"},
    )
    assert wrong.status_code == 422 and "not right" in wrong.content.decode()
    ok = client.post(
        "/accounts/password/",
        {"current_password": PASSWORD, "new_password": "n3w-Secret-pass", "confirm_password": "n3w-Secret-pass"},
    )
    assert ok.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("n3w-Secret-pass")
    assert client.get("/accounts/profile/").status_code == 200


def test_only_admin_sets_someone_elses_password_and_it_is_audited():
    admin = make_agent(Role.ADMIN)
    supervisor = make_agent(Role.SUPERVISOR)
    target = make_agent()
    client = Client()
    client.force_login(supervisor)
    assert client.post(f"/admin/agents/{target.pk}/password/", {"new_password": "Another-pass-99"}).status_code == 403
    client.force_login(admin)
    client.post(f"/admin/agents/{target.pk}/password/", {"new_password": "Another-pass-99"})
    target.refresh_from_db()
    assert target.check_password("Another-pass-99")
    assert AuditLogEntry.objects.filter(actor=admin, target_id=str(target.pk), data__password="changed").exists()


def test_time_zone_is_checked_and_portal_customer_keeps_chosen_language():
    from helpline.accounts import actions
    from helpline.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        actions.create_agent(actor=None, username="tz", time_zone="Mars/Olympus")
    customer = make_customer()
    client = Client()
    session = client.session

    session["portal_customer_id"] = customer.pk
    session.save()
    client.post("/accounts/language/", {"language": "te", "next": "/portal/"})
    customer.refresh_from_db()
    assert customer.language == "te"
