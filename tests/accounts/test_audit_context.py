"""The client address reaches audit rows through the request context, under WSGI and ASGI alike."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, RequestFactory

from helpline.accounts import actions
from helpline.accounts.audit_context import client_ip, client_ip_context, current_client_ip
from helpline.accounts.models import AuditAction, AuditLogEntry, Role
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_context_sets_and_restores():
    assert current_client_ip() is None
    with client_ip_context("192.0.2.1"):
        assert current_client_ip() == "192.0.2.1"
        with client_ip_context("2001:db8::1"):
            assert current_client_ip() == "2001:db8::1"
        assert current_client_ip() == "192.0.2.1"
    assert current_client_ip() is None


def test_explicit_address_wins_over_the_context():
    admin = make_agent(Role.ADMIN)
    with client_ip_context("192.0.2.1"):
        entry = actions.record_audit(actor=admin, action=AuditAction.SETTING_CHANGED, ip_address="198.51.100.1")
    assert entry.ip_address == "198.51.100.1"


@pytest.mark.parametrize(("remote", "expected"), [("203.0.113.5", "203.0.113.5"), ("", None), ("not-an-ip", None)])
def test_client_ip_only_accepts_addresses(remote, expected):
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=remote)) == expected


class _AsyncClientFrom(AsyncClient):
    """An ASGI test client whose requests come from another address than 127.0.0.1."""

    def _base_scope(self, **request):  # type: ignore[no-untyped-def]
        return {**super()._base_scope(**request), "client": ["203.0.113.77", 50000]}


def test_address_is_recorded_through_the_asgi_handler():
    admin = make_agent(Role.ADMIN)
    client = _AsyncClientFrom()
    async_to_sync(client.aforce_login)(admin)
    response = async_to_sync(client.post)("/admin/teams/new/", {"name": "Async team"})
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action=AuditAction.TEAM_CREATED)
    assert entry.target_label == "Async team" and entry.ip_address == "203.0.113.77"
    assert current_client_ip() is None
