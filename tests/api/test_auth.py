"""Who may call the API: tokens, sessions with CSRF, and the roles of tickets.permissions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from helpline.accounts import actions as account_actions
from helpline.accounts.models import Role
from helpline.tickets.models import Message, MessageKind
from tests.api.conftest import ApiClient, assert_error, token_for
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_no_token_is_401_in_the_error_format(anonymous_api: ApiClient) -> None:
    response = anonymous_api.get("/tickets")
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer hl_not-a-real-token", "Basic dXNlcjpwYXNz", "hl_x"])
def test_wrong_tokens_are_401(header: str, agent: object) -> None:
    response = Client().get("/api/tickets", headers={"Authorization": header})
    assert_error(response, 401, "unauthenticated")


def test_revoked_token_is_401(agent: object) -> None:
    token, secret = account_actions.create_api_token(actor=agent, name="ci")  # type: ignore[arg-type]
    api = ApiClient(secret)
    assert api.get("/tickets").status_code == 200
    account_actions.revoke_api_token(actor=agent, token=token)  # type: ignore[arg-type]
    assert_error(api.get("/tickets"), 401, "unauthenticated")


def test_expired_token_and_deactivated_agent_are_401(admin: object) -> None:
    agent = make_agent(Role.AGENT)
    _token, expired = account_actions.create_api_token(
        actor=agent, name="old", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_error(ApiClient(expired).get("/tickets"), 401)
    live = token_for(agent)
    assert ApiClient(live).get("/me").json()["username"] == agent.username
    account_actions.update_agent(actor=admin, agent=agent, is_active=False)  # type: ignore[arg-type]
    assert_error(ApiClient(live).get("/tickets"), 401)


def test_openapi_schema_is_public_and_documents_both_auth_schemes(anonymous_api: ApiClient) -> None:
    response = anonymous_api.client.get("/api/openapi.json")
    assert response.status_code == 200
    schemes = response.json()["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_session_auth_reads_without_csrf_but_writes_need_it(agent: object) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)  # type: ignore[arg-type]
    assert client.get("/api/tickets").status_code == 200
    body = json.dumps({"name": "Acme"})
    refused = client.post("/api/organizations", data=body, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    client.cookies["csrftoken"] = "a" * 32
    accepted = client.post(
        "/api/organizations", data=body, content_type="application/json", headers={"X-CSRFToken": "a" * 32}
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["name"] == "Acme"


def test_session_without_login_is_401_even_for_writes() -> None:
    response = Client(enforce_csrf_checks=True).post("/api/tags", data="{}", content_type="application/json")
    assert_error(response, 401, "unauthenticated")


def test_light_agent_reads_and_adds_notes_only(light_api: ApiClient, light_agent: object) -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    assert light_api.get("/tickets").status_code == 200
    assert light_api.get(f"/tickets/{ticket.number}").status_code == 200
    assert light_api.get(f"/customers/{customer.public_id}").status_code == 200

    note = light_api.post(f"/tickets/{ticket.number}/messages", {"kind": "note", "body_text": "FYI"})
    assert note.status_code == 201, note.content
    assert note.json()["kind"] == "note"

    writes = [
        light_api.post(f"/tickets/{ticket.number}/messages", {"kind": "reply", "body_text": "Hello"}),
        light_api.patch(f"/tickets/{ticket.number}", {"status": "pending"}),
        light_api.post("/tickets", {"requester": customer.public_id, "subject": "New", "body_text": "x"}),
        light_api.post("/tickets", {"requester_email": "fresh@example.com", "subject": "New", "body_text": "x"}),
        light_api.post("/tags", {"name": "vip"}),
        light_api.post("/customers", {"name": "Someone"}),
        light_api.patch(f"/customers/{customer.public_id}", {"name": "Renamed"}),
        light_api.post("/organizations", {"name": "Acme"}),
    ]
    for response in writes:
        assert_error(response, 403, "forbidden")
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).count() == 0
    assert not light_api.get("/customers", {"q": "fresh@example.com"}).json()["items"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.LIGHT_AGENT])
def test_settings_writes_and_webhooks_are_admin_only(role: str) -> None:
    api = ApiClient(token_for(make_agent(role)))
    other = make_agent(Role.AGENT)
    denied = [
        api.post("/agents", {"username": "newbie"}),
        api.patch(f"/agents/{other.pk}", {"display_name": "X"}),
        api.post("/teams", {"name": "Billing"}),
        api.post("/custom-fields", {"key": "plan", "label": "Plan"}),
        api.put("/custom-fields/plan", {"label": "Plan"}),
        api.get("/webhooks"),
        api.post("/webhooks", {"url": "https://example.com/hook"}),
    ]
    for response in denied:
        assert_error(response, 403, "forbidden")
    assert api.get("/agents").status_code == 200
    assert api.get("/teams").status_code == 200
    assert api.get("/custom-fields").status_code == 200


def test_agent_output_never_contains_secrets(admin_api: ApiClient, admin: object) -> None:
    account_actions.start_totp_setup(actor=admin)  # type: ignore[arg-type]
    created = admin_api.post("/agents", {"username": "kim", "password": "a-long-password-1"})
    assert created.status_code == 201, created.content
    for body in (created.json(), *admin_api.get("/agents").json(), admin_api.get("/me").json()):
        assert not {"password", "totp_secret", "totp_enabled"} & set(body)
        assert "pbkdf2" not in json.dumps(body) and "md5$" not in json.dumps(body)


def test_portal_customers_have_no_api_access() -> None:
    from django.conf import settings

    from helpline.portal.auth import SESSION_KEY

    customer = make_customer()
    ticket = make_ticket(customer)
    client = Client()
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # a signed-in portal session, no agent
    for path in ("/api/tickets", f"/api/tickets/{ticket.number}", f"/api/customers/{customer.public_id}"):
        assert_error(client.get(path), 401, "unauthenticated")
