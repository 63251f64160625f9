"""Concurrent live-chat load against one server process on loopback.

Opens BENCH_CHATS visitor WebSockets (default 2,000), each starting a conversation (a chat ticket),
then sends BENCH_CHAT_RATE messages per second in total (default 200) for BENCH_CHAT_SECONDS (20),
round-robin over the conversations, every one of them on schedule (none skipped when the server
falls behind). One signed-in agent listens on /ws/desk/; the figure is visitor-to-agent delivery:
from the visitor's send to the agent's socket receiving the change (stored, event recorded,
pushed), matched per conversation in order. Prints p50/p95/p99/max, acks, messages not delivered
30 s after the last send, the delivered rate, server memory per connection (RSS growth over the
open sockets), CPU (user+sys) of the server and of the workers per message, and the workers'
backlog: ticket events not yet run (the workers read them through `tickets.event_feed`) plus tasks
waiting in the database queue, when the load ends, and how long the workers take to catch up (BENCH_CATCH_UP_S,
default 120). Target: p99 <= 150 ms at 200 msg/s.

Production profile by default: PostgreSQL (a fresh database `helpline_chat_bench` on
BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432) and Redis (channel layer and cache,
BENCH_REDIS, default redis://127.0.0.1:6379/13), `helpline run` (uvicorn with uvloop and httptools)
with the database task queue and BENCH_WORKERS (1) `helpline worker` processes beside it
(BENCH_TASKS=immediate runs tasks inside the server instead); BENCH_DB=sqlite for the embedded
profile. BENCH_PYSPY=<file.txt> samples the server with py-spy during the load (collapsed stacks; only the
thread holding the GIL, so the samples say where the server's CPU goes, not where it waits).
After the run it prints what one visitor message costs in the server process measured alone:
queries inside the write, after commit, and milliseconds.

    .venv/bin/python -m bench.chat_bench            # BENCH_CHATS=200 BENCH_CHAT_SECONDS=15 for a quick run

Figures (2026-12-05, shared 2-core machine; bench/README.md has the table with the load of each run):
first round: 200 chats, 95 msg/s delivered, p99 16.5 s; 2,000 chats, 40 msg/s, p99 43 s; server CPU
5.6-6 ms per message. With the event feed (no task row per write), the prepared chat write, one
Redis pipeline per ticket change and no sync-thread hop per socket message: 200 chats, all 3,000
delivered at 187-198 msg/s, p99 2.0 s at load 15.8 and 200 ms at load 7.8; 2,000 chats, all 4,000
delivered at 166 and 199 msg/s, p50 1.2 s and 68 ms, p99 4.3 s and 965 ms (loads 3.3-9.6), server
CPU 2.4-3.1 ms per message, 7 SQL statements
(BEGIN and COMMIT included), 46 KiB per connection.
2026-12-06: the tail was the server's garbage collector (full collections of ~700,000 objects,
170 ms to 2 s each); with `core.gc_policy`, prepared statements, presence refreshed per process and
the worker at nice 10: 2,000 chats, all 4,000 delivered at 198.8-198.9 msg/s, p50 7.9-10.6 ms, p99
27.5, 51.9 and 122.3 ms in three runs (target 150 ms; 148.1 ms in a fourth with a GC timer loaded), server CPU
3.1-3.4 ms per message on that day's slower CPU, 45-47 KiB per connection.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import resource
import statistics
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

import httpx
import websockets


def _load_fixtures() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "tests" / "live_server.py"
    spec = importlib.util.spec_from_file_location("helpline_e2e_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_fixtures = _load_fixtures()
LiveServer, _free_port = _fixtures.LiveServer, _fixtures._free_port

CHATS = int(os.environ.get("BENCH_CHATS", "2000"))
DB = os.environ.get("BENCH_DB", "postgres")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
TASKS = os.environ.get("BENCH_TASKS", "database")
BENCH_DATABASE = "helpline_chat_bench"
RATE = float(os.environ.get("BENCH_CHAT_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
WIDGET_PING_S = 25.0  # as widget.js
CATCH_UP_S = float(os.environ.get("BENCH_CATCH_UP_S", "120"))

SEED = """
import json
from helpline.accounts import actions
from helpline.chat.tokens import new_visitor_token
actions.create_agent(actor=None, username="benchagent", password="bench-Password-1", role="agent")
print(json.dumps([new_visitor_token() for _ in range(%d)]))
"""


PROFILE = """
import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpline.chat.consumers import _post
from helpline.chat.tokens import new_visitor_token, visitor_from_token

from helpline.core import hooks
from helpline.core.events import TICKET_EVENT_HOOK

# time each subscriber of ticket events (they run after commit, in the thread that wrote)
spent = {}


def timed(fn):
    def wrapper(event):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = fn(event)
        name = fn.__module__ + "." + fn.__name__
        total = spent.setdefault(name, [0.0, 0])
        total[0] += time.perf_counter() - started
        total[1] += len(ctx.captured_queries)
        return result

    return wrapper


hooks._registry[TICKET_EVENT_HOOK] = [timed(fn) for fn in hooks.get(TICKET_EVENT_HOOK)]
visitor = visitor_from_token(new_visitor_token())
conversation = _post(visitor, "p0", "first message opens the chat")["conversation"]
spent.clear()
known = None
rows = []
for n in range(1, 41):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = _post(visitor, "p" + str(n), "message " + str(n), known, conversation)
        elapsed = time.perf_counter() - started
    known, conversation = result["ticket"], result["conversation"]
    sql = [q["sql"] for q in ctx.captured_queries]
    commit = next((i for i, q in enumerate(sql) if q.upper().startswith("COMMIT")), len(sql))
    rows.append((len(sql), commit, elapsed))
    last = sql
rows.sort(key=lambda r: r[2])
middle = rows[len(rows) // 2]
print(json.dumps({
    "queries_per_message": middle[0],
    "queries_in_the_write": middle[1] + 1,
    "queries_after_commit": middle[0] - middle[1] - 1,
    "server_ms_per_message_median": round(middle[2] * 1000, 1),
    "after_commit_subscribers_per_message": {
        name: {"ms": round(total[0] * 1000 / 40, 2), "queries": round(total[1] / 40, 1)}
        for name, total in sorted(spent.items(), key=lambda item: -item[1][0])
    },
    "queries": [q[:90] for q in last],
}))
"""


def prepare_database(server: LiveServer) -> str | None:
    """Point the server at a fresh PostgreSQL database and Redis (the production profile)."""
    if DB != "postgres":
        return None
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    server.env["DATABASE_URL"] = f"{POSTGRES}/{BENCH_DATABASE}"
    server.env["REDIS_URL"] = REDIS
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    return f"{POSTGRES}/{BENCH_DATABASE}"


def drop_database() -> None:
    if DB != "postgres":
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def login_cookie(server: LiveServer) -> str:
    import re

    with httpx.Client(base_url=server.url, timeout=60) as http:
        page = http.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf
        http.post(
            "/accounts/login/",
            data={"username": "benchagent", "password": "bench-Password-1", "csrfmiddlewaretoken": csrf.group(1)},
        )
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile_server(pid: int) -> Any:
    """BENCH_PYSPY=<file>: sample the server with py-spy over the load (a flame graph, or with a
    `.txt` name collapsed stacks) to see where its CPU goes."""
    target = os.environ.get("BENCH_PYSPY")
    if not target:
        return None
    import shutil
    import subprocess
    import sys

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    fmt = ["--format", "raw"] if target.endswith(".txt") else []
    return subprocess.Popen(  # noqa: S603
        [spy, "record", "--gil", "--pid", str(pid), "--duration", str(int(SECONDS)), "--rate", "200", "--output", target, *fmt],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def tasks_waiting(database: str | None) -> int | None:
    """Ticket events the workers have not yet run (not yet claimed, or in a batch still running),
    plus tasks waiting in the database task queue (the database task queue only)."""
    if database is None or TASKS != "database":
        return None
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM tickets_ticketevent WHERE id > coalesce("
            "(SELECT position FROM tickets_eventcursor WHERE name = 'worker'), 0)) "
            "+ (SELECT coalesce(sum(jsonb_array_length(event_ids)), 0) FROM tickets_eventbatch "
            "WHERE state = 'claimed') "
            "+ (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING'))"
        ).fetchone()
    return int(row[0]) if row else 0


async def run(
    server: LiveServer, tokens: list[str], cookie: str, pid: int, workers: list[int], database: str | None
) -> dict[str, Any]:
    ws_base = server.url.replace("http", "ws")
    # ticket public id -> send times of its messages not yet seen by the agent, oldest first (one
    # conversation's messages are stored and pushed in the order the visitor sent them)
    pending: dict[str, deque[float]] = {}
    latencies: list[float] = []
    acks = 0
    measuring = False
    desk = await websockets.connect(
        f"{ws_base}/ws/desk/", additional_headers={"Cookie": cookie}, origin=server.url, max_queue=None
    )
    await desk.recv()

    async def listen() -> None:
        async for raw in desk:
            data = json.loads(raw)
            if data.get("type") == "ticket.changed" and data.get("event") == "message_added":
                waiting = pending.get(data["ticket"])
                if waiting:
                    latencies.append(time.perf_counter() - waiting.popleft())

    listener = asyncio.create_task(listen())
    before = rss_kib(pid)
    sockets = []
    for i in range(0, len(tokens), 100):
        batch = tokens[i : i + 100]
        sockets += await asyncio.gather(
            *(
                websockets.connect(
                    f"{ws_base}/ws/chat/?token={t}",
                    origin="https://shop.example",
                    max_queue=None,
                    ping_interval=None,  # browsers send no protocol pings; the widget's own ping is below
                )
                for t in batch
            )
        )
    for ws in sockets:
        await ws.recv()  # welcome
    opened = rss_kib(pid)

    async def first(ws: Any, n: int) -> str:
        await ws.send(json.dumps({"type": "message", "cid": "hello", "body": f"Hello from visitor {n}"}))
        while True:
            data = json.loads(await ws.recv())
            if data.get("type") == "ack":
                return str(data["ticket"])

    started = time.perf_counter()
    tickets = await asyncio.gather(*(first(ws, n) for n, ws in enumerate(sockets)))
    setup = time.perf_counter() - started

    async def drain(ws: Any) -> None:
        nonlocal acks
        try:
            async for raw in ws:
                if measuring and json.loads(raw).get("type") == "ack":
                    acks += 1
        except websockets.ConnectionClosed:
            return

    async def heartbeat(ws: Any) -> None:
        """The widget's keep-alive: {"type": "ping"} every 25 s (each visitor at its own moment)."""
        await asyncio.sleep(random.uniform(0, WIDGET_PING_S))
        try:
            while True:
                await ws.send('{"type":"ping"}')
                await asyncio.sleep(WIDGET_PING_S)
        except websockets.ConnectionClosed:
            return

    drains = [asyncio.create_task(drain(ws)) for ws in sockets]
    drains += [asyncio.create_task(heartbeat(ws)) for ws in sockets]
    # The client's own 2,000 sockets are long-lived: frozen, its collector does not stall it (and
    # the figures) walking them; 2,000 browsers would not pause together.
    gc.collect()
    gc.freeze()
    await asyncio.sleep(2)
    latencies.clear()
    for ticket in tickets:
        pending[ticket] = deque()
    total = int(RATE * SECONDS)
    interval = 1.0 / RATE
    measuring = True
    cpu_before = {p: cpu_seconds(p) for p in [pid, *workers]}
    client_before = time.process_time()
    waiting_before = tasks_waiting(database)
    spy = profile_server(pid)
    t0 = time.perf_counter()
    for k in range(total):
        n = k % len(sockets)
        pending[tickets[n]].append(time.perf_counter())
        await sockets[n].send(json.dumps({"type": "message", "cid": f"m{k}", "body": f"message {k}"}))
        delay = t0 + (k + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    send_window = time.perf_counter() - t0
    waiting_after_send = tasks_waiting(database)
    # wait for the stragglers (up to 30 s), then read the CPU the load cost
    deadline = time.perf_counter() + 30
    while (sum(map(len, pending.values())) or acks < total) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    window = time.perf_counter() - t0
    cpu = {p: cpu_seconds(p) - cpu_before[p] for p in cpu_before}
    client_cpu = time.process_time() - client_before
    peak = rss_kib(pid)
    listener.cancel()
    for task in drains:
        task.cancel()
    for ws in sockets:
        await ws.close()
    await desk.close()
    # how long the worker needs to catch up with what the load queued
    drained_at, left = time.perf_counter(), tasks_waiting(database)
    while left and time.perf_counter() - drained_at < CATCH_UP_S:
        await asyncio.sleep(1)
        left = tasks_waiting(database)
    drain_s = time.perf_counter() - drained_at
    if spy is not None:
        spy.wait()
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    server_cpu = cpu[pid]
    worker_cpu = sum(cpu[p] for p in workers)
    return {
        "chats": len(sockets),
        "first_messages_s": round(setup, 2),
        "sent": total,
        "acked": acks,
        "delivered": len(lat),
        "not_delivered_30s_after": total - len(lat),
        "rate_sent_msg_s": round(total / send_window, 1),
        "rate_delivered_msg_s": round(len(lat) / window, 1),
        "p50_ms": round(pct(0.5), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "memory_per_connection_kib": round((opened - before) / max(1, len(sockets)), 1),
        "server_rss_mib": {
            "idle": round(before / 1024, 1),
            "open": round(opened / 1024, 1),
            "end": round(peak / 1024, 1),
        },
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_share_of_one_core": round(server_cpu / window, 2),
        # per message delivered: a server that fell behind spent its CPU on fewer of them
        "server_cpu_ms_per_message": round(server_cpu * 1000 / max(1, len(lat)), 2),
        "worker_processes": len(workers),
        "worker_cpu_s": round(worker_cpu, 2) if workers else None,
        "bench_client_cpu_s": round(client_cpu, 2),
        "load_window_s": round(window, 1),
        "worker_queue": {
            "before": waiting_before,
            "after_sending": waiting_after_send,
            "catch_up_s": round(drain_s, 1) if waiting_after_send is not None else None,
            "left": left,
        },
    }


def main() -> None:
    import subprocess
    import sys

    load_before = os.getloadavg()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, CHATS * 2 + 512)), hard))
    with tempfile.TemporaryDirectory(prefix="helpline-chat-bench-") as tmp:
        server = LiveServer(Path(tmp), _free_port())
        database = prepare_database(server)
        server.env["HELPLINE_TASKS"] = TASKS
        workers: list[subprocess.Popen[bytes]] = []
        try:
            server.start()
            if TASKS == "database":
                workers = [
                    subprocess.Popen(  # noqa: S603
                        [sys.executable, "-m", "helpline.cli", "worker"],
                        env=server.env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for _ in range(WORKERS)
                ]
            tokens = server.run_python(SEED % CHATS)
            cookie = login_cookie(server)
            assert server.process is not None
            result = asyncio.run(run(server, tokens, cookie, server.process.pid, [w.pid for w in workers], database))
            result["profile"] = server.run_python(PROFILE)
        except Exception:
            log = Path(tmp) / "server.log"
            print(log.read_text()[-4000:] if log.exists() else "no server log")
            raise
        finally:
            for worker in workers:
                worker.terminate()  # it finishes the run it is in first
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            server.stop()
            drop_database()
    result["database"] = "postgresql" if database else "sqlite"
    result["channel_layer"] = "redis" if database else "in-memory"
    result["tasks"] = TASKS
    result["target_p99_ms"] = 150
    result["p99_ratio_to_target"] = (
        round(result["p99_ms"] / 150, 2) if result.get("p99_ms") == result.get("p99_ms") else None
    )
    result["target_rate_msg_s"] = RATE
    result["load_average_before"] = load_before
    result["cpu_count"] = os.cpu_count()
    result["load_average"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "chat_bench.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
