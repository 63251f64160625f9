from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.test import TransactionTestCase

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


class _SubscriberErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _subscriber_failures_fail_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A worker subscriber that raises is logged and retried, never shown to the user: in the tests
    it fails the test, unless the test says it expects one (`allow_subscriber_errors`)."""
    handler = _SubscriberErrors()
    logger = logging.getLogger("helpline.events")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("allow_subscriber_errors") is None:
        first = handler.records[0]
        pytest.fail(f"{len(handler.records)} subscriber failure(s) logged, first: {first.getMessage()}\n"
                    f"{logging.Formatter().formatException(first.exc_info) if first.exc_info else ''}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in SLOW_FIRST)  # stable: the rest keep their order


_flush_by_truncate = TransactionTestCase._fixture_teardown


def _flush_by_delete(self: TransactionTestCase) -> None:
    """What a transactional test leaves is removed as Django's flush does, on PostgreSQL with DELETE in the
    tables that have rows instead of one TRUNCATE of every table: TRUNCATE makes new files for each of the
    hundreds of tables and indexes and drops the old ones, 0.3 s alone and 2 s with the other worker busy,
    after each of about 120 tests. Django's foreign keys are deferred, so the order does not matter; the
    post_migrate signal then puts back the content types and permissions, as after a flush."""
    names = self._databases_names(include_mirrors=False)
    if (
        self.available_apps is not None
        or self.serialized_rollback
        or any(connections[name].vendor != "postgresql" for name in names)
    ):
        return _flush_by_truncate(self)
    for db_name in names:
        connection = connections[db_name]
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        quote = connection.ops.quote_name
        with transaction.atomic(using=db_name), connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables),  # noqa: S608
                tables,
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608  (Django's own table names)
        emit_post_migrate_signal(verbosity=0, interactive=False, db=db_name)
    return None


TransactionTestCase._fixture_teardown = _flush_by_delete  # type: ignore[method-assign]
