"""Every failure answers `{"error": {"code", "message", "details"}}` with the right status."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from helpline.core.errors import RateLimitedError
from tests.api.conftest import ApiClient, assert_error
from tests.factories import make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db


def test_400_unknown_query_parameter(agent_api: ApiClient) -> None:
    error = assert_error(agent_api.get("/tickets", {"stauts": "open"}), 400, "unknown_parameter")
    assert error["details"]["parameters"] == ["stauts"]
    assert "status" in error["details"]["allowed"]
    assert_error(agent_api.get("/agents", {"page": "2"}), 400, "unknown_parameter")


def test_unknown_parameter_without_credentials_is_still_401(anonymous_api: ApiClient) -> None:
    assert_error(anonymous_api.get("/tickets", {"stauts": "open"}), 401)


def test_400_malformed_json_body(agent_api: ApiClient) -> None:
    assert_error(agent_api.post("/organizations", "{not json"), 400, "malformed_body")


@pytest.mark.parametrize("body", ["[null, null]", "42", '"text"', "null", "true"])
def test_422_body_that_is_not_an_object(agent_api: ApiClient, body: str) -> None:
    assert_error(agent_api.post("/customers", body), 422, "invalid_body")
    assert_error(agent_api.patch("/teams/1", body), 422, "invalid_body")


def test_400_nul_characters(agent_api: ApiClient) -> None:
    assert_error(agent_api.get("/tickets", {"q": "a\x00b"}), 400, "invalid_characters")
    assert_error(agent_api.post("/organizations", '{"name": "a\\u0000b"}'), 400, "invalid_characters")
    sneaky = agent_api.client.post(
        "/api/organizations", data='{"name": "a\\u0000b"}', content_type="text/plain", headers=agent_api._headers(None)
    )
    assert_error(sneaky, 400, "invalid_characters")


def test_403_and_404(light_api: ApiClient, agent_api: ApiClient) -> None:
    assert_error(light_api.post("/tags", {"name": "x"}), 403, "forbidden")
    assert_error(agent_api.get("/tickets/424242"), 404, "not_found")
    assert_error(agent_api.get("/customers/no-such-customer"), 404, "not_found")
    assert_error(agent_api.get("/teams/424242"), 404, "not_found")
    assert_error(agent_api.get("/no/such/endpoint"), 404, "not_found")
    error = assert_error(agent_api.get("/tickets/not-a-number"), 422, "validation_error")
    assert "number" in error["details"]["fields"]


def test_405_names_the_allowed_methods(agent_api: ApiClient) -> None:
    response = agent_api.put("/tickets", {})
    error = assert_error(response, 405, "method_not_allowed")
    assert sorted(error["details"]["allowed"]) == ["GET", "POST"]
    assert sorted(m.strip() for m in response["Allow"].split(",")) == ["GET", "POST"]


def test_409_conflicts(admin_api: ApiClient) -> None:
    make_team("Billing")
    assert_error(admin_api.post("/teams", {"name": "Billing"}), 409, "name_taken")
    make_customer("taken@example.com")
    error = assert_error(
        admin_api.post("/customers", {"identities": [{"kind": "email", "value": "taken@example.com"}]}),
        409,
        "identity_taken",
    )
    assert "taken@example.com" in error["message"]


def test_422_validation_lists_each_field(agent_api: ApiClient) -> None:
    error = assert_error(
        agent_api.post("/tickets", {"subject": 5, "priority": "asap", "tags": "x"}), 422, "validation_error"
    )
    assert set(error["details"]["fields"]) == {"subject", "priority", "tags"}
    assert error["message"]


def test_422_from_actions_keeps_code_and_details(admin_api: ApiClient) -> None:
    error = assert_error(admin_api.post("/webhooks", {"url": "ftp://example.com/hook"}), 422, "invalid_url")
    assert "url" in error["details"]["fields"]


def test_429_from_a_rate_limited_action(agent_api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = make_ticket()

    def refuse(**kwargs: Any) -> None:
        raise RateLimitedError("Slow down.")

    monkeypatch.setattr("helpline.tickets.actions.add_message", refuse)
    response = agent_api.post(f"/tickets/{ticket.number}/messages", {"kind": "note", "body_text": "x"})
    assert assert_error(response, 429, "rate_limited")["message"] == "Slow down."


def test_500_is_generic_and_logged(
    agent_api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("helpline.tickets.selectors.filter_tickets", explode)
    response = agent_api.get("/tickets")
    error = assert_error(response, 500, "internal_error")
    assert "hunter2" not in json.dumps(error)
    assert any("api error" in r.getMessage() and r.exc_info for r in caplog.records)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "!!!",
        _b64(b"not json"),
        _b64(b"{}"),
        _b64(b"[1]"),
        _b64(b'["2024-01-01T00:00:00+00:00", "x"]'),
        _b64(b'["not a date", 1]'),
        _b64(b'["2024-13-45T00:00:00", 1]'),
        _b64(b'["2024-01-01T00:00:00+00:00", 99999999999999999999999]'),
        _b64(b'["2024-01-01T00:00:00+00:00", -1]'),
        _b64(b'["0001-01-01T00:00:00+14:00", 1]'),
        _b64(b"\xff\xfe"),
    ],
)
def test_malformed_cursors_are_4xx(agent_api: ApiClient, cursor: str) -> None:
    make_ticket()
    for path in ("/tickets", "/customers", "/organizations"):
        response = agent_api.get(path, {"cursor": cursor})
        assert 400 <= response.status_code < 500, (path, response.content)
        assert response.json()["error"]["code"] in {"invalid_cursor", "validation_error"}
    number_cursor = _b64(b"[99999999999999999999999, 1]")
    response = agent_api.get("/tickets", {"cursor": number_cursor, "sort": "number"})
    assert_error(response, 422, "invalid_cursor")


def test_out_of_range_ids_are_4xx(agent_api: ApiClient) -> None:
    huge = "9" * 25
    for path in (f"/tickets/{huge}", f"/agents/{huge}", f"/teams/{huge}"):
        assert 400 <= agent_api.get(path).status_code < 500, path
    assert_error(agent_api.get("/tickets", {"assignee": huge}), 422)
    assert_error(agent_api.post("/tickets", {"requester_email": "a@example.com", "assignee_id": int(huge)}), 422)
