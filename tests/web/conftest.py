from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from helpline.accounts.models import Role, User
from tests.factories import make_agent


@pytest.fixture
def login() -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def agent() -> User:
    return make_agent(Role.AGENT, display_name="Ana Agent")


@pytest.fixture
def agent_client(login: Callable[[User], Client], agent: User) -> Client:
    return login(agent)
