from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK
from helpline.tickets.models import TicketEvent

pytest_plugins = ["tests.live_server"]  # the real-server and Chromium fixtures for browser tests


class EventCapture:
    """Collects the TicketEvents published after commit and the realtime messages sent."""

    def __init__(self) -> None:
        self.events: list[TicketEvent] = []
        self.realtime: list[tuple[str, dict[str, Any]]] = []

    @property
    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> Iterator[EventCapture]:
    """Use as: `with capture_commits(execute=True): action(...)`, then read `capture.kinds`."""
    cap = EventCapture()
    original = hooks.get(TICKET_EVENT_HOOK)

    def _collect(event: TicketEvent) -> None:
        cap.events.append(event)

    monkeypatch.setitem(hooks._registry, TICKET_EVENT_HOOK, [*original, _collect])

    def _send(sends: list[tuple[str, dict[str, Any]]]) -> None:
        cap.realtime.extend(sends)

    monkeypatch.setattr("helpline.tickets.hooks.send_to_groups", _send)
    yield cap


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on-commit callbacks inside the test transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _no_cached_greeting_offer() -> Iterator[None]:
    """The desk's greeting set-up is cached for a minute; each test starts from its own database."""
    from django.core.cache import cache

    from helpline.workflow.greetings import OFFER_CACHE_KEY

    cache.delete(OFFER_CACHE_KEY)
    yield
    cache.delete(OFFER_CACHE_KEY)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in another language leaves that language active in the thread (LocaleMiddleware,
    the profile page): each test starts in the default language, whatever ran before it on this worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# Single tests that take most of a minute each (they seed the whole demo desk): run first, so that the
# two xdist workers do not end the run with one of them alone on one of these.
SLOW_FIRST = ("tests/web/test_crawl.py", "tests/core/test_demo.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in SLOW_FIRST)  # stable: the rest keep their order
