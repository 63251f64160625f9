"""Where a visitor's chat message spends the server's CPU, in process: the real ASGI application
(routing, the visitor consumer, the chat actions, the after-commit pushes) on the production
profile's database and channel layer, with one listener on the agents' desk group standing in for
the agent's socket. Messages go one at a time (send, wait for the ack and for the desk push), so the
figures are the cost of one message without queueing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpline_x REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python -m bench.chat_profile            # CHAT_PROFILE_MESSAGES=300, CHAT_PROFILE_TOP=40

Prints CPU ms per message (process time over the run: every thread of the process), wall ms per
message, SQL statements per message (and the statements of the last one), and cProfile's top
functions by cumulative and by own time (CHAT_PROFILE_CALLERS=<regex> adds who called those). The
database must be migrated (`helpline migrate`). The profile counts each thread's CPU time
(`time.thread_time`): the database threads' calls are profiled one profile per thread and merged.

2026-12-05, PostgreSQL and Redis, load 11-13: the database thread's part of a message was 22 ms
profiled (4.4 s for 200 messages) with the ORM building 2 SELECTs, 3 INSERTs (the task row among
them) and an UPDATE; 7 ms (1.4 s) with the prepared chat write and no task row. Unprofiled CPU per
message over the whole process is noisy on a busy machine (6.5-11.8 ms before, 9.1-9.6 after, bench
client included); the chat bench's server CPU per message is the figure to compare.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import os
import pstats
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
os.environ.setdefault("HELPLINE_TASKS", "database")

MESSAGES = int(os.environ.get("CHAT_PROFILE_MESSAGES", "300"))
VISITORS = int(os.environ.get("CHAT_PROFILE_VISITORS", "20"))
TOP = int(os.environ.get("CHAT_PROFILE_TOP", "40"))


class _ProfilingExecutor(ThreadPoolExecutor):
    """The consumers' database threads, each profiled into its own cProfile (merged at the end):
    cProfile sees one thread only."""

    on = False
    profiles: list[cProfile.Profile] = []

    def __init__(self, threads: int, main: cProfile.Profile):
        super().__init__(threads, thread_name_prefix="helpline-db")
        self.local = threading.local()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            if not _ProfilingExecutor.on:
                return fn(*args, **kwargs)
            profile = getattr(self.local, "profile", None)
            if profile is None:
                profile = self.local.profile = cProfile.Profile(time.thread_time)
                _ProfilingExecutor.profiles.append(profile)
            profile.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                profile.disable()

        return super().submit(run)


async def _run(profile: cProfile.Profile) -> dict[str, Any]:
    from channels.layers import get_channel_layer
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from helpline.asgi import application
    from helpline.chat.tokens import new_visitor_token
    from helpline.core import realtime
    from helpline.core.realtime import DESK_GROUP

    loop = asyncio.get_running_loop()
    loop.set_default_executor(_ProfilingExecutor(settings.SYNC_THREADS, profile))
    realtime._server_loop = loop  # the application keeps this executor (it sets its own on a new loop)
    layer = get_channel_layer()
    assert layer is not None
    desk = await layer.new_channel()
    await layer.group_add(DESK_GROUP, desk)
    pushes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def listen() -> None:  # one receive at a time, never cancelled (pubsub unsubscribes then)
        while True:
            await pushes.put(await layer.receive(desk))

    listener = asyncio.create_task(listen())
    sockets = []
    for n in range(VISITORS):
        ws = WebsocketCommunicator(
            application, f"/ws/chat/?token={new_visitor_token()}", headers=[(b"origin", b"https://shop.example")]
        )
        connected, _code = await ws.connect(timeout=10)
        assert connected
        await ws.receive_json_from(timeout=10)  # welcome
        await ws.send_json_to({"type": "message", "cid": "hello", "body": f"Hello from visitor {n}"})
        while (await ws.receive_json_from(timeout=10)).get("type") != "ack":
            pass
        sockets.append(ws)
    while True:  # drain the desk's pushes of the first messages
        try:
            await asyncio.wait_for(pushes.get(), 0.5)
        except TimeoutError:
            break

    async def one(k: int) -> None:
        ws = sockets[k % len(sockets)]
        await ws.send_json_to({"type": "message", "cid": f"m{k}", "body": f"message {k}"})
        while (await ws.receive_json_from(timeout=10)).get("type") != "ack":
            pass
        while (await asyncio.wait_for(pushes.get(), 10)).get("event") != "message_added":
            pass

    for k in range(20):  # warm up
        await one(-k - 1)
    _SQL.clear()
    _SQL.append("on")
    cpu, wall = time.process_time(), time.perf_counter()
    _ProfilingExecutor.on = True
    profile.enable()
    for k in range(MESSAGES):
        await one(k)
    profile.disable()
    _ProfilingExecutor.on = False
    _SQL.remove("on")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for ws in sockets:
        await ws.disconnect()
    listener.cancel()
    return {"cpu_ms": cpu * 1000 / MESSAGES, "wall_ms": wall * 1000 / MESSAGES}


_SQL: list[str] = []


def _count_statements() -> None:
    """Every statement of every thread while `_SQL` holds "on" (connections are per thread, so the
    cursor class is wrapped rather than one connection's)."""
    from django.db.backends import utils

    def wrap(method: Any) -> Any:
        def run(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
            if _SQL and _SQL[0] == "on":
                _SQL.append(sql)
            return method(self, sql, *args, **kwargs)

        return run

    utils.CursorWrapper.execute = wrap(utils.CursorWrapper.execute)  # type: ignore[method-assign]
    utils.CursorWrapper.executemany = wrap(utils.CursorWrapper.executemany)  # type: ignore[method-assign]


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    _count_statements()
    profile = cProfile.Profile(time.thread_time)  # CPU time, not waiting
    result = asyncio.run(_run(profile))
    # profiling slows everything: a second, unprofiled pass gives the CPU figure
    profiles = list(_ProfilingExecutor.profiles)
    plain = asyncio.run(_run(cProfile.Profile()))
    _ProfilingExecutor.profiles = profiles
    sql = [s for s in _SQL if s != "on"]
    count = len(sql)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    for thread_profile in _ProfilingExecutor.profiles:
        stats.add(thread_profile)
    stats.sort_stats("cumulative").print_stats(TOP)
    stats.sort_stats("tottime").print_stats(TOP)
    if os.environ.get("CHAT_PROFILE_CALLERS"):
        stats.print_callers(os.environ["CHAT_PROFILE_CALLERS"])
    print(out.getvalue())
    print(
        json.dumps(
            {
                "messages": MESSAGES,
                "cpu_ms_per_message": round(plain["cpu_ms"], 2),
                "wall_ms_per_message": round(plain["wall_ms"], 2),
                "cpu_ms_per_message_profiled": round(result["cpu_ms"], 2),
                "sql_per_message": round(count / MESSAGES, 2),
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
                "load_average": os.getloadavg(),
                "statements_of_one_message": [s[:120] for s in sql[-12:]],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
