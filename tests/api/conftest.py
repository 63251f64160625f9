from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpline.accounts import actions as account_actions
from helpline.accounts.models import Role, User
from tests.factories import make_agent


class ApiClient:
    """The Django test client speaking JSON to /api/ with a bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get("/api" + path, params or {}, headers=self._headers(headers))

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        send = getattr(self.client, method)
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return send("/api" + path, data=data, content_type="application/json", headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("post", path, {} if body is None else body, headers)

    def patch(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._send("patch", path, body, headers)

    def put(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._send("put", path, body, headers)

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete("/api" + path, headers=self._headers(headers))


def token_for(user: User) -> str:
    _token, secret = account_actions.create_api_token(actor=user, name="tests")
    return secret


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture
def admin(db: Any) -> User:
    return make_agent(Role.ADMIN)


@pytest.fixture
def agent(db: Any) -> User:
    return make_agent(Role.AGENT)


@pytest.fixture
def light_agent(db: Any) -> User:
    return make_agent(Role.LIGHT_AGENT)


@pytest.fixture
def admin_api(admin: User) -> ApiClient:
    return ApiClient(token_for(admin))


@pytest.fixture
def agent_api(agent: User) -> ApiClient:
    return ApiClient(token_for(agent))


@pytest.fixture
def light_api(light_agent: User) -> ApiClient:
    return ApiClient(token_for(light_agent))


@pytest.fixture
def anonymous_api(db: Any) -> ApiClient:
    return ApiClient()
