"""Concurrent live-chat load against one server process on loopback.

Opens BENCH_CHATS visitor WebSockets (default 2,000), each starting a conversation (a chat ticket),
then sends BENCH_CHAT_RATE messages per second in total (default 200) for BENCH_CHAT_SECONDS (20),
spread over the conversations. One signed-in agent listens on /ws/desk/; the figure is
visitor-to-agent delivery: from the visitor's send to the agent's socket receiving the change
(stored, event recorded, pushed). Prints p50/p95/p99, lost messages and server memory per
connection (RSS growth over the open sockets). Target: p99 <= 150 ms.

    .venv/bin/python -m bench.chat_bench            # BENCH_CHATS=200 for a quick run
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
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
RATE = float(os.environ.get("BENCH_CHAT_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "20"))

SEED = """
import json
from helpline.accounts import actions
from helpline.chat.tokens import new_visitor_token
actions.create_agent(actor=None, username="benchagent", password="bench-Password-1", role="agent")
print(json.dumps([new_visitor_token() for _ in range(%d)]))
"""


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


async def run(server: LiveServer, tokens: list[str], cookie: str, pid: int) -> dict[str, Any]:
    ws_base = server.url.replace("http", "ws")
    pending: dict[str, float] = {}  # ticket public id -> send time of the message in flight
    latencies: list[float] = []
    desk = await websockets.connect(f"{ws_base}/ws/desk/", additional_headers={"Cookie": cookie}, origin=server.url)
    await desk.recv()

    async def listen() -> None:
        async for raw in desk:
            data = json.loads(raw)
            if data.get("type") == "ticket.changed" and data.get("event") == "message_added":
                sent = pending.pop(data["ticket"], None)
                if sent is not None:
                    latencies.append(time.perf_counter() - sent)

    listener = asyncio.create_task(listen())
    before = rss_kib(pid)
    sockets = []
    for i in range(0, len(tokens), 100):
        batch = tokens[i : i + 100]
        sockets += await asyncio.gather(
            *(
                websockets.connect(f"{ws_base}/ws/chat/?token={t}", origin="https://shop.example", max_queue=None)
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
    ticket_of: dict[int, str | None] = {id(ws): t for ws, t in zip(sockets, tickets, strict=True)}

    async def drain(ws: Any) -> None:
        try:
            async for _raw in ws:
                pass
        except websockets.ConnectionClosed:
            return

    drains = [asyncio.create_task(drain(ws)) for ws in sockets]
    await asyncio.sleep(1)
    latencies.clear()
    pending.clear()
    total = int(RATE * SECONDS)
    interval = 1.0 / RATE
    sent = 0
    t0 = time.perf_counter()
    for k in range(total):
        ws = sockets[k % len(sockets)]
        # acks are not awaited: the visitor socket's reader drains them
        ticket = ack_ticket(ws, ticket_of)
        if ticket in pending:
            continue  # that conversation still has a message in flight; skip rather than guess
        pending[ticket] = time.perf_counter()
        await ws.send(json.dumps({"type": "message", "cid": f"m{k}", "body": f"message {k}"}))
        sent += 1
        delay = t0 + (k + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(3)
    elapsed = time.perf_counter() - t0
    listener.cancel()
    for task in drains:
        task.cancel()
    for ws in sockets:
        await ws.close()
    await desk.close()
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "chats": len(sockets),
        "first_messages_s": round(setup, 2),
        "sent": sent,
        "delivered": len(lat),
        "not_arrived_within_3s": len(pending),
        "rate_msg_s": round(sent / (elapsed - 3), 1),
        "p50_ms": round(pct(0.5), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "memory_per_connection_kib": round((opened - before) / max(1, len(sockets)), 1),
    }


def ack_ticket(ws: Any, ticket_of: dict[int, str | None]) -> str:
    return str(ticket_of[id(ws)])


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, CHATS * 2 + 512)), hard))
    with tempfile.TemporaryDirectory(prefix="helpline-chat-bench-") as tmp:
        server = LiveServer(Path(tmp), _free_port())
        server.start()
        try:
            tokens = server.run_python(SEED % CHATS)
            cookie = login_cookie(server)
            assert server.process is not None
            result = asyncio.run(run(server, tokens, cookie, server.process.pid))
        finally:
            server.stop()
    result["target_p99_ms"] = 150
    result["load_average"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "chat_bench.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
