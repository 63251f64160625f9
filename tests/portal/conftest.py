from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from helpline.customers.models import Customer
from helpline.portal.auth import make_token

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def sign_in(client: Client, customer: Customer, email: str | None = None) -> Client:
    """Sign a test client into the portal the way a customer does: by opening a magic link."""
    token = make_token(customer, email or customer.email)
    response = client.get(f"/portal/auth/{token}/")
    assert response.status_code == 302, response.content
    return client


def link_path(body: str) -> str:
    """The portal path of the (first) magic link in an email body."""
    match = re.search(re.escape(django_settings.SITE_URL) + r"(/portal/auth/[^/\s]+/)", body)
    assert match, body
    return match.group(1)
