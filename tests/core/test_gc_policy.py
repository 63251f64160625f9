"""The server's garbage-collection policy: long-lived objects frozen out of the collector's walk,
reference cycles among them still freed by the periodic full collection."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from helpline.core import gc_policy


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    gc.collect()


def _cycle() -> Node:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a


@pytest.mark.usefixtures("collector")
def test_start_freezes_what_is_loaded_and_keeps_running_on_the_loop() -> None:
    async def scenario() -> tuple[int, int, bool]:
        gc_policy.start(asyncio.get_running_loop(), freeze_every_s=0.05, full_every_s=3600)
        frozen_at_start = gc.get_freeze_count()
        survivors = [Node() for _n in range(1000)]  # long-lived: frozen by the next round
        await asyncio.sleep(0.2)
        running = gc_policy._task is not None and not gc_policy._task.done()
        assert gc_policy._task is not None
        gc_policy._task.cancel()
        del survivors
        return frozen_at_start, gc.get_freeze_count(), running

    frozen_at_start, frozen_later, running = asyncio.run(scenario())
    assert frozen_at_start > 1000
    assert running
    assert gc.get_threshold()[0] == gc_policy.YOUNG_THRESHOLD


@pytest.mark.usefixtures("collector")
def test_a_cycle_frozen_with_the_survivors_is_freed_by_the_full_collection() -> None:
    node = _cycle()  # e.g. a socket's consumer and its task, alive while the socket is open
    cycle = weakref.ref(node)
    gc_policy.freeze_survivors()
    del node  # the socket closed: the cycle is garbage, but frozen
    gc.collect()  # an ordinary full collection does not walk frozen objects
    assert cycle() is not None
    pause_ms = gc_policy.full_collection()
    assert cycle() is None
    assert pause_ms >= 0
    assert gc.get_freeze_count() > 0  # what is still alive is frozen again


@pytest.mark.usefixtures("collector")
def test_frozen_objects_are_still_freed_when_nothing_refers_to_them() -> None:
    node = Node()
    ref = weakref.ref(node)
    gc_policy.freeze_survivors()
    del node
    assert ref() is None  # reference counting, no collection needed


@pytest.mark.usefixtures("collector")
def test_a_worker_freezes_what_it_loaded_and_collects_young_objects_less_often() -> None:
    from django.test import override_settings

    gc.unfreeze()  # CPython's defaults, whatever an earlier test of this process left
    gc.set_threshold(700, 10, 10)
    with override_settings(WORKER_GC_POLICY=False):
        gc_policy.settle_worker()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == (700, 10, 10)
    loaded = _cycle()  # something the worker loaded at start-up
    gc_policy.settle_worker()
    assert gc.get_freeze_count() > 1000 and gc.get_threshold()[0] == gc_policy.YOUNG_THRESHOLD
    assert gc.is_tracked(loaded) and not any(loaded is o for o in gc.get_objects())  # frozen: never walked
    made_later = weakref.ref(_cycle())  # a cycle made while working is still collected
    gc.collect()
    assert made_later() is None
