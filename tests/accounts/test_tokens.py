from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from helpline.accounts import actions
from helpline.accounts.models import ApiToken, AuditAction, AuditLogEntry
from tests.accounts.helpers import signed_in
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

TOKENS = "/accounts/tokens/"


def test_create_shows_the_secret_once_and_it_authenticates():
    agent = make_agent()
    client = signed_in(agent, REMOTE_ADDR="203.0.113.9")
    response = client.post(TOKENS, {"name": "CRM sync", "expires_in": "90"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("hl_") and secret in response.content.decode()
    assert "no-store" in response.get("Cache-Control", "") or "no-cache" in response.get("Cache-Control", "")
    token = ApiToken.objects.get(user=agent)
    assert token.name == "CRM sync" and token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix + token.key_hash)
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)
    assert AuditLogEntry.objects.get(action=AuditAction.TOKEN_CREATED).ip_address == "203.0.113.9"

    listing = client.get(TOKENS).content.decode()
    assert "CRM sync" in listing and token.prefix in listing
    assert secret not in listing
    assert actions.authenticate_token(secret) == agent


def test_create_without_a_name_keeps_the_form():
    client = signed_in(make_agent())
    response = client.post(TOKENS, {"name": "  ", "expires_in": "30"})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()
    assert 'value="30" selected' in response.content.decode()


def test_revoke_stops_the_token_and_is_audited():
    agent = make_agent()
    client = signed_in(agent)
    secret = client.post(TOKENS, {"name": "script"}).context["secret"]
    token = ApiToken.objects.get()
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert actions.authenticate_token(secret) is None
    assert AuditLogEntry.objects.filter(action=AuditAction.TOKEN_REVOKED, actor=agent).count() == 1
    assert "Revoked" in client.get(TOKENS).content.decode()


def test_revoke_needs_post_and_own_token():
    owner = make_agent()
    other = make_agent()
    token, secret = actions.create_api_token(actor=owner, name="mine")
    assert signed_in(owner).get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert signed_in(other).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and actions.authenticate_token(secret) == owner


def test_authenticate_token_refuses_expired_unknown_and_inactive():
    agent = make_agent()
    _token, expired = actions.create_api_token(
        actor=agent, name="old", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert actions.authenticate_token(expired) is None
    assert actions.authenticate_token("hl_not-a-real-token") is None
    assert actions.authenticate_token("") is None
    token, live = actions.create_api_token(actor=agent, name="live")
    assert actions.authenticate_token(live) == agent
    token.refresh_from_db()
    assert token.last_used_at is not None
    actions.update_agent(actor=None, agent=agent, is_active=False)
    assert actions.authenticate_token(live) is None


def test_token_pages_need_sign_in(client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
