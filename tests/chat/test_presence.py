"""Visitor presence: written when a socket opens, removed when it closes, and refreshed for every
socket of the process together (not on each widget ping)."""

from __future__ import annotations

import asyncio

import pytest
from django.core.cache import cache

from helpline.chat import presence


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    presence._here.clear()
    yield
    cache.clear()
    presence._here.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    now = [1_000_000.0]
    monkeypatch.setattr(presence.time, "time", lambda: now[0])
    return now


def test_a_refresh_keeps_open_sockets_online_and_lets_closed_ones_go_stale(clock):
    presence.visitor_connected("v1", "here-1")
    presence.visitor_connected("v2", "here-2")
    presence.visitor_connected("v2", "other-process")  # the same visitor in a tab served elsewhere
    presence.visitor_connected("v3", "gone")  # a socket of a process that died
    clock[0] += presence.STALE_AFTER - 10
    presence.refresh({"v1": {"here-1"}, "v2": {"here-2"}})
    clock[0] += 20  # the others were last seen STALE_AFTER + 10 s ago
    assert presence.visitor_online("v1") and presence.visitor_online("v2")
    assert not presence.visitor_online("v3")
    assert set(cache.get(presence._key("v2"))) == {"here-2", "other-process"}  # kept until stale
    presence.refresh({"v2": {"here-2"}})
    assert set(cache.get(presence._key("v2"))) == {"here-2"}  # the stale tab dropped


def test_refresh_reads_and_writes_once_for_all_visitors(monkeypatch: pytest.MonkeyPatch):
    calls: list[str] = []
    real_get_many, real_set_many = cache.get_many, cache.set_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append("get_many") or real_get_many(keys))
    monkeypatch.setattr(
        cache, "set_many", lambda data, timeout: calls.append("set_many") or real_set_many(data, timeout)
    )
    presence.refresh({f"v{n}": {f"c{n}"} for n in range(200)})
    assert calls == ["get_many", "set_many"]
    assert all(presence.visitor_online(f"v{n}") for n in range(200))


def test_joined_sockets_are_refreshed_by_the_process_and_left_ones_are_not(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(presence, "REFRESH_EVERY", 0.05)
    refreshed: list[dict[str, set[str]]] = []
    monkeypatch.setattr(presence, "refresh", lambda sockets: refreshed.append(sockets))

    async def scenario() -> None:
        await presence.joined("v1", "a")
        await presence.joined("v1", "b")
        await presence.joined("v2", "c")
        assert presence.visitor_online("v1") and presence.visitor_online("v2")  # written at once
        await presence.left("v2", "c")
        assert not presence.visitor_online("v2")
        await asyncio.sleep(0.2)
        assert presence._refresher is not None
        presence._refresher.cancel()

    asyncio.run(scenario())
    assert refreshed and refreshed[-1] == {"v1": {"a", "b"}}
