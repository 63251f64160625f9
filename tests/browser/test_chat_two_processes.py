"""Two server processes sharing one Redis (channel layer and cache): a visitor connected to the
first and an agent working on the second still talk, both ways, in real time."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.live_server import LiveServer, _free_port

pytestmark = pytest.mark.browser
REDIS_URL = "redis://127.0.0.1:6379/11"

SEED = """
import json
from helpline.accounts import actions
from helpline.chat.tokens import new_visitor_token
agent = actions.create_agent(actor=None, username="redisagent", password="e2e-Password-1", role="agent")
_token, secret = actions.create_api_token(actor=agent, name="e2e")
print(json.dumps({"api": secret, "visitor": new_visitor_token()}))
"""


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def two_servers(migrated_template: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    if not _redis_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (scripts/test.sh starts it)")
    with tempfile.TemporaryDirectory(prefix="helpline-redis-") as tmp:
        servers = [LiveServer(Path(tmp), _free_port()), LiveServer(Path(tmp), _free_port())]
        for server in servers:
            server.env["REDIS_URL"] = REDIS_URL
        try:
            for server in servers:
                server.start(migrated_template)
            yield servers[0], servers[1]
        finally:
            for server in servers:
                server.stop()


def _login(server: LiveServer) -> str:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        page = http.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf
        http.post(
            "/accounts/login/",
            data={"username": "redisagent", "password": "e2e-Password-1", "csrfmiddlewaretoken": csrf.group(1)},
        )
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        data = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
        if data.get("type") == kind:
            return data


def test_visitor_on_one_process_and_agent_on_another(two_servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = two_servers
    seed = first.run_python(SEED)
    cookie = _login(second)

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        visitor_url = first.url.replace("http", "ws") + "/ws/chat/?token=" + seed["visitor"]
        async with websockets.connect(visitor_url, origin="https://shop.example") as visitor:
            await _next(visitor, "welcome")
            await visitor.send(json.dumps({"type": "message", "cid": "r1", "body": "Hello from process one"}))
            ack = await _next(visitor, "ack")
            ticket_public_id = (await asyncio.to_thread(_ticket_of, first))["public_id"]
            desk_url = second.url.replace("http", "ws") + f"/ws/tickets/{ticket_public_id}/"
            async with websockets.connect(desk_url, additional_headers={"Cookie": cookie}, origin=second.url) as desk:
                await _next(desk, "hello")
                await visitor.send(json.dumps({"type": "message", "cid": "r2", "body": "Are you there?"}))
                changed = await _next(desk, "ticket.changed")
                number = (await asyncio.to_thread(_ticket_of, first))["number"]
                async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
                    response = await http.post(
                        f"/api/tickets/{number}/messages",
                        json={"kind": "reply", "body_text": "Answer from process two"},
                        headers={"Authorization": f"Bearer {seed['api']}"},
                    )
                    assert response.status_code == 201, response.text
                reply = await _next(visitor, "message")
                while reply["message"]["from"] != "agent":  # the visitor's own messages come back too (other tabs)
                    reply = await _next(visitor, "message")
            assert ack["message"]["body"] == "Hello from process one"
            return changed, reply

    changed, reply = asyncio.run(run())
    assert changed["event"] == "message_added"
    assert reply["message"]["body"] == "Answer from process two" and reply["message"]["from"] == "agent"


def _ticket_of(server: LiveServer) -> dict[str, Any]:
    return server.run_python(
        "import json\nfrom helpline.tickets.models import Ticket\n"
        "t = Ticket.objects.get(channel='chat')\nprint(json.dumps({'public_id': t.public_id, 'number': t.number}))"
    )
