"""The wall board in headless Chromium follows the desk live, without reloading: a customer's new
request raises "Open", an agent going online raises "Agents online"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live_server import LiveServer, file_portal_request, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions
for name, role in (("boss", "supervisor"), ("tamar", "agent")):
    actions.create_agent(actor=None, username=name, password="e2e-Password-1", role=role, display_name=name.title())
print(json.dumps("ok"))
"""


def _figure(page: Any, name: str) -> str:
    return str(page.inner_text(f"[data-figure={name}]")).strip()


def test_wall_board_updates_live(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    server.run_python(SEED)
    wall = browser.new_context().new_page()
    sign_in(wall, server, "boss")
    wall.goto(f"{server.url}/reports/wall/")
    wall.wait_for_function("document.getElementById('wall').dataset.live === 'true'", timeout=10_000)
    assert (_figure(wall, "open"), _figure(wall, "agents_online")) == ("0", "0")
    navigations: list[str] = []
    wall.on("framenavigated", lambda frame: navigations.append(frame.url))

    customer = browser.new_context().new_page()
    file_portal_request(
        customer,
        server,
        name="Dato",
        email="dato@example.ge",
        subject="Meter reading",
        message="My meter shows the wrong reading.",
    )
    wall.wait_for_function("document.querySelector('[data-figure=open]').textContent.trim() === '1'", timeout=10_000)

    agent = browser.new_context().new_page()
    sign_in(agent, server, "tamar")
    agent.goto(f"{server.url}/chat/status/")
    agent.check("#chat-status input[name=status][value=online]")
    agent.click("#chat-status button[type=submit]")
    wall.wait_for_function(
        "document.querySelector('[data-figure=agents_online]').textContent.trim() === '1'", timeout=10_000
    )
    assert navigations == []  # updated in place, never reloaded
    assert _figure(wall, "today") == "1"
