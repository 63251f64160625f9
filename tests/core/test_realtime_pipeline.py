"""Pushes over the Redis pub/sub channel layer: a ticket change's groups in one pipeline still
reach every member of each group (real Redis at 127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer

from helpline.core import realtime

REDIS = "redis://127.0.0.1:6379/12"


def test_one_pipeline_reaches_each_group() -> None:
    async def scenario() -> list[tuple[str, dict[str, Any]]]:
        layer = RedisPubSubChannelLayer(hosts=[{"address": REDIS}])
        desk, page, other = [await layer.new_channel() for _n in range(3)]
        await layer.group_add("desk", desk)
        await layer.group_add("ticket.T1", page)
        await layer.group_add("ticket.T2", other)
        payload = {"type": "ticket.changed", "ticket": "T1", "event": "message_added"}
        assert await realtime._publish_pipelined(layer, [("desk", payload), ("ticket.T1", payload)])
        got = [
            ("desk", await asyncio.wait_for(layer.receive(desk), 5)),
            ("ticket.T1", await asyncio.wait_for(layer.receive(page), 5)),
        ]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(other), 0.3)  # not a member of those groups
        await layer.flush()
        return got

    got = asyncio.run(scenario())
    assert [group for group, _m in got] == ["desk", "ticket.T1"]
    assert all(m["ticket"] == "T1" and m["event"] == "message_added" for _g, m in got)


def test_other_layers_are_left_to_group_send() -> None:
    from channels.layers import InMemoryChannelLayer

    assert asyncio.run(realtime._publish_pipelined(InMemoryChannelLayer(), [("desk", {"type": "x"})])) is False


def test_pushes_from_a_consumers_database_thread_reach_the_group_in_order() -> None:
    """After a commit in a consumer's database thread the pushes are handed to the server's loop
    (the thread does not wait for them); they still arrive, in the order they were made."""
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    async def scenario() -> list[int]:
        realtime._server_loop = asyncio.get_running_loop()
        try:
            layer = get_channel_layer()
            assert layer is not None
            channel = await layer.new_channel()
            group = f"order-{uuid.uuid4().hex}"  # not "desk": other tests' sockets may still be in it
            await layer.group_add(group, channel)

            def commit_hooks() -> None:
                for n in range(20):
                    realtime.send_to_group(group, {"type": "ticket.changed", "n": n})

            await sync_to_async(commit_hooks, thread_sensitive=False)()
            got = [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _n in range(20)]
            await layer.group_discard(group, channel)
            return got
        finally:
            realtime._server_loop = None

    assert asyncio.run(scenario()) == list(range(20))
