"""In headless Chromium: an automation's "notify" reaches the agent's open inbox live (the bell's
count and a notice link to the ticket, no reload), and the notifications page lists it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.live_server import LiveServer, file_portal_request, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions
from helpline.core.actors import Actor
from helpline.workflow import rule_actions
actions.create_agent(actor=None, username="nino", password="e2e-Password-1", role="agent", display_name="Nino",
                     email="nino@desk.example")
rule_actions.save_rule(actor=Actor.system(), name="Tell Nino", trigger="ticket_created", active=True,
                       actions=[{"type": "notify", "to": "nino@desk.example", "subject": "New {{ ticket.reference }}",
                                 "body": "{{ ticket.subject }}"}])
print(json.dumps("ok"))
"""


def test_a_rule_notification_reaches_the_open_inbox(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    server.run_python(SEED)
    agent = browser.new_context().new_page()
    sign_in(agent, server, "nino")
    agent.goto(f"{server.url}/tickets/")
    agent.wait_for_selector("#live-dot[data-state=open]", timeout=15_000)
    assert agent.locator("#notification-count").is_hidden()
    navigations: list[str] = []
    agent.on("framenavigated", lambda frame: navigations.append(frame.url))

    customer = browser.new_context().new_page()
    file_portal_request(
        customer,
        server,
        name="Dato",
        email="dato@example.ge",
        subject="Meter reading",
        message="My meter shows the wrong reading.",
    )

    agent.wait_for_function("document.getElementById('notification-count').textContent.trim() === '1'", timeout=20_000)
    notice = agent.locator("#notification-toasts li a")
    assert re.fullmatch(r"New #\d+", notice.inner_text().strip())
    assert "Meter reading" in agent.inner_text("#notification-toasts")
    assert re.search(r"/tickets/\d+/$", notice.get_attribute("href") or "")
    assert navigations == []  # shown in place, without a reload
    agent.goto(f"{server.url}/workflow/notifications/")
    assert "Meter reading" in agent.inner_text("[data-notification-list]")
    agent.click("[data-notification-list] button[type=submit]")
    agent.wait_for_selector("[data-notification-list] li.muted")
    assert agent.locator("#notification-count").is_hidden()
