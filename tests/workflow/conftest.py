from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from helpline.core.actors import Actor
from helpline.workflow import sla_actions
from helpline.workflow.models import BusinessCalendar
from tests.messaging.conftest import providers  # noqa: F401 (the fake SMS provider, for call confirmations)

UTC = dt.UTC


class FrozenClock:
    """The injected clock: every `timezone.now()` reads it; tests move it by hand."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> dt.datetime:
        self.at = at
        return at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(dt.datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Call an action and deliver what it publishes after commit (as the live system would)."""

    def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run


@pytest.fixture
def office_hours(db: Any) -> BusinessCalendar:
    """Monday to Friday 09:00-17:00 in Berlin."""
    return sla_actions.save_calendar(
        actor=Actor.system(),
        name="Berlin office",
        time_zone="Europe/Berlin",
        shifts=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        holidays=["2025-01-01"],
        is_default=True,
    )


@pytest.fixture
def system() -> Iterator[Actor]:
    yield Actor.system()


@pytest.fixture(autouse=True)
def no_realtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """No WebSocket pushes: these tests look at the database."""
    monkeypatch.setattr("helpline.tickets.hooks.send_to_groups", lambda sends: None)


@pytest.fixture(autouse=True)
def fresh_rule_cache() -> Iterator[None]:
    from helpline.workflow import rule_cache

    rule_cache.invalidate()
    yield
    rule_cache.invalidate()


def in_two_workers(work: Callable[[], Any]) -> list[Any]:
    """Run `work` in two threads released together (two workers on their own connections); their results."""
    import threading

    from django.db import connections

    results: list[Any] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
