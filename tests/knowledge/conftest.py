from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.accounts.models import Role, User
from helpline.core.actors import Actor
from helpline.knowledge import actions
from helpline.knowledge.models import ArticleTranslation, Section
from tests.factories import make_agent
from tests.knowledge.fixtures import add_translations, build_knowledge_base


@pytest.fixture
def section(db: Any) -> Section:
    category = actions.create_category(actor=Actor.system(), name="Accounts", names={"ka": "ანგარიშები"})
    return actions.create_section(actor=Actor.system(), category=category, name="Getting started")


@pytest.fixture
def kb(section: Section, django_capture_on_commit_callbacks: Any) -> dict[str, ArticleTranslation]:
    """The multilingual fixture, published and embedded (tasks run immediately in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        made = build_knowledge_base(section)
        add_translations(made)
    return made


@pytest.fixture
def demo_kb(db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    """The demo help center (articles in en, ka, am, mn and te), imported and embedded as `helpline
    demo` does it."""
    from helpline.core.demo_data.knowledge_base import ensure_knowledge_base

    with django_capture_on_commit_callbacks(execute=True):
        return ensure_knowledge_base(make_agent(Role.ADMIN), [])


@pytest.fixture
def agent(db: Any) -> User:
    return make_agent(Role.AGENT)


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client()
    client.force_login(agent)
    return client
