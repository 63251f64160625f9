from __future__ import annotations

import pyotp
import pytest
from django.conf import settings

from helpline.accounts.models import AuditAction, AuditLogEntry
from tests.accounts.helpers import current_code, signed_in, wrong_code
from tests.factories import PASSWORD, make_agent

pytestmark = pytest.mark.django_db

TWO_FA = "/accounts/2fa/"
LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/login/code/"


def _enable(client, agent) -> str:
    assert client.post(TWO_FA, {"step": "start"}).status_code == 302
    agent.refresh_from_db()
    secret = agent.totp_secret
    response = client.post(TWO_FA, {"step": "confirm", "code": current_code(secret)})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.totp_enabled
    return secret


def test_setup_shows_qr_and_key_and_refuses_a_wrong_code():
    agent = make_agent(username="nino")
    client = signed_in(agent)
    page = client.get(TWO_FA)
    assert page.status_code == 200 and 'value="start"' in page.content.decode()

    assert client.post(TWO_FA, {"step": "start"}).status_code == 302
    agent.refresh_from_db()
    assert agent.totp_secret and not agent.totp_enabled
    html = client.get(TWO_FA).content.decode()
    assert "<svg" in html and "</svg>" in html
    assert agent.totp_secret[:4] in html  # the key in text, grouped by four

    refused = client.post(TWO_FA, {"step": "confirm", "code": wrong_code(agent.totp_secret)})
    assert refused.status_code == 422
    assert "not right" in refused.content.decode()
    agent.refresh_from_db()
    assert not agent.totp_enabled
    assert not AuditLogEntry.objects.filter(action=AuditAction.TOTP_ENABLED).exists()


def test_full_flow_enable_login_with_code_and_disable():
    agent = make_agent(username="nino")
    client = signed_in(agent, REMOTE_ADDR="198.51.100.20")
    secret = _enable(client, agent)
    entry = AuditLogEntry.objects.get(action=AuditAction.TOTP_ENABLED)
    assert entry.actor == agent and entry.ip_address == "198.51.100.20"
    # Starting over while it is on is refused: it would silently replace a working key.
    client.post(TWO_FA, {"step": "start"})
    agent.refresh_from_db()
    assert agent.totp_secret == secret and agent.totp_enabled

    # A new sign-in asks for the code, and nothing else is reachable until it is given.
    client.post("/accounts/logout/")
    step = client.post(LOGIN + "?next=/accounts/tokens/", {"username": "nino", "password": PASSWORD})
    assert step.status_code == 302 and step["Location"] == CODE_STEP
    blocked = client.get("/accounts/profile/")
    assert blocked.status_code == 302 and blocked["Location"] == CODE_STEP
    wrong = client.post(CODE_STEP, {"code": wrong_code(secret)})
    assert wrong.status_code == 401
    right = client.post(CODE_STEP, {"code": current_code(secret)})
    assert right.status_code == 302 and right["Location"] == "/accounts/tokens/"
    assert client.get("/accounts/profile/").status_code == 200

    # Turning it off needs a current code.
    refused = client.post(TWO_FA, {"step": "disable", "code": wrong_code(secret)})
    assert refused.status_code == 422
    agent.refresh_from_db()
    assert agent.totp_enabled
    assert client.post(TWO_FA, {"step": "disable", "code": current_code(secret)}).status_code == 302
    agent.refresh_from_db()
    assert not agent.totp_enabled and agent.totp_secret == ""
    assert AuditLogEntry.objects.filter(action=AuditAction.TOTP_DISABLED, actor=agent).count() == 1

    client.post("/accounts/logout/")
    again = client.post(LOGIN, {"username": "nino", "password": PASSWORD})
    assert again.status_code == 302 and again["Location"] != CODE_STEP


def test_code_step_is_rate_limited_and_signing_in_again_does_not_reset_it(client):
    agent = make_agent(username="nino")
    secret = _enable(signed_in(agent), agent)
    assert client.post(LOGIN, {"username": "nino", "password": PASSWORD})["Location"] == CODE_STEP
    statuses = [
        client.post(CODE_STEP, {"code": wrong_code(secret)}).status_code for _ in range(settings.LOGIN_MAX_FAILURES)
    ]
    assert statuses == [401] * settings.LOGIN_MAX_FAILURES
    locked = client.post(CODE_STEP, {"code": current_code(secret)})
    assert locked.status_code == 429 and "Retry-After" in locked
    assert "_auth_user_id" not in client.session  # signed out
    # The password again does not buy a fresh set of guesses.
    assert client.post(LOGIN, {"username": "nino", "password": PASSWORD}).status_code == 429


def test_admin_can_turn_off_an_agents_two_factor():
    admin = make_agent("admin")
    agent = make_agent(username="lost-phone")
    _enable(signed_in(agent), agent)
    response = signed_in(admin).post(f"/admin/agents/{agent.pk}/reset-2fa/")
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.totp_enabled
    assert AuditLogEntry.objects.filter(action=AuditAction.TOTP_DISABLED, actor=admin, target_id=str(agent.pk)).exists()


def test_provisioning_uri_in_qr_matches_the_stored_key():
    agent = make_agent(username="nino")
    client = signed_in(agent)
    client.post(TWO_FA, {"step": "start"})
    agent.refresh_from_db()
    page = client.get(TWO_FA)
    uri = page.context["uri"]
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == agent.totp_secret and parsed.issuer == "Helpline"
