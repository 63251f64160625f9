from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.db import connection

from helpline.accounts.models import User
from helpline.core.actors import Actor
from tests.factories import make_agent

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


@pytest.fixture
def indexed(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """`with indexed(): action(...)` runs the after-commit subscribers (search indexing) at the end."""

    @contextmanager
    def _run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return _run


@pytest.fixture
def agent(db: None) -> User:
    return make_agent()


@pytest.fixture
def agent_actor(agent: User) -> Actor:
    return Actor.of_agent(agent)


def vendor() -> str:
    return connection.vendor
