"""Presence records in the cache: several tabs, typing that expires, viewers that vanish."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from helpline.web import presence


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    now = [1_000_000.0]
    monkeypatch.setattr(presence.time, "time", lambda: now[0])
    return now


def test_join_touch_leave(clock):
    presence.join("t1", "c1", agent_id=1, name="Alice")
    viewers = presence.join("t1", "c2", agent_id=2, name="Bob")
    assert [(v["name"], v["typing"]) for v in viewers] == [("Alice", False), ("Bob", False)]
    viewers = presence.touch("t1", "c2", agent_id=2, name="Bob", typing=True)
    assert [(v["name"], v["typing"]) for v in viewers] == [("Alice", False), ("Bob", True)]
    clock[0] += presence.TYPING_FOR + 1
    assert [v["typing"] for v in presence.viewers("t1")] == [False, False]  # typing ran out
    assert [v["name"] for v in presence.leave("t1", "c1")] == ["Bob"]
    assert presence.viewers("t2") == []


def test_same_agent_in_two_tabs_is_one_viewer_typing_if_either_tab_types(clock):
    presence.join("t1", "tab1", agent_id=1, name="Alice")
    presence.join("t1", "tab2", agent_id=1, name="Alice")
    presence.touch("t1", "tab2", agent_id=1, name="Alice", typing=True)
    assert presence.viewers("t1") == [{"id": 1, "name": "Alice", "typing": True, "since": clock[0]}]
    presence.leave("t1", "tab2")
    assert [v["typing"] for v in presence.viewers("t1")] == [False]


def test_a_connection_without_heartbeat_drops_out(clock):
    presence.join("t1", "dead", agent_id=1, name="Alice")
    presence.join("t1", "alive", agent_id=2, name="Bob")
    clock[0] += presence.STALE_AFTER - 5
    presence.touch("t1", "alive", agent_id=2, name="Bob")
    clock[0] += 10
    assert [v["name"] for v in presence.viewers("t1")] == ["Bob"]
    presence.leave("t1", "alive")
    assert cache.get("helpline:presence:t1") is None
