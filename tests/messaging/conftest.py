from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.messaging.fake_providers import FakeProviders


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    fake = FakeProviders().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.MESSAGING_RETRY_BASE_SECONDS = 0.01
    settings.MESSAGING_MAX_ATTEMPTS = 3
