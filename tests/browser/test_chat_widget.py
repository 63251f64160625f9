"""Live chat in real browsers: a visitor writes from a page embedding the widget, an agent answers
from the ticket page and the visitor sees it; then the visitor's network drops while the agent
writes twice, and on return each message shows exactly once, in order."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.live_server import LiveServer, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions
from helpline.chat import actions as chat_actions
from helpline.core.actors import Actor
agent = actions.create_agent(actor=None, username="chatagent", password="e2e-Password-1", role="agent",
                             display_name="Chat Agent")
chat_actions.set_chat_status(actor=Actor.of_agent(agent), status="online")
print(json.dumps("ok"))
"""

TICKET_NUMBER = """
import json
from helpline.tickets.models import Ticket
print(json.dumps(Ticket.objects.filter(channel="chat").order_by("-id").values_list("number", flat=True).first()))
"""


def sign_in_agent(browser: Any, server: LiveServer, username: str) -> Any:
    """A new browser context with the agent signed in (on the inbox)."""
    return sign_in(browser.new_context().new_page(), server, username)


def _bubbles(page: Any, text: str) -> int:
    return int(
        page.evaluate(
            "(t) => Array.from(document.querySelector('#helpline-chat').shadowRoot.querySelectorAll('.msg'))"
            ".filter(m => m.textContent.includes(t)).length",
            text,
        )
    )


def test_visitor_chats_agent_answers_and_nothing_is_lost_over_a_network_drop(
    live_server_process: LiveServer, browser: Any
) -> None:
    server = live_server_process
    server.run_python(SEED)

    visitor_context = browser.new_context(locale="en-US")
    visitor = visitor_context.new_page()
    visitor.goto(f"{server.url}/chat/demo/")
    visitor.click(".launcher")
    visitor.fill(".panel textarea", "Hello, my parcel has not arrived")
    visitor.press(".panel textarea", "Enter")
    visitor.wait_for_function(
        "() => { const r = document.querySelector('#helpline-chat').shadowRoot;"
        " return r.querySelector('.msg.visitor[data-id]') && !r.querySelector('.pending'); }",
        timeout=10_000,
    )
    number = server.run_python(TICKET_NUMBER)
    assert number

    agent = sign_in_agent(browser, server, "chatagent")
    agent.goto(f"{server.url}/tickets/{number}/")
    agent.wait_for_selector("#thread")
    assert "my parcel has not arrived" in agent.inner_text("#thread")

    def reply(text: str) -> None:
        agent.click("#composer-body")
        agent.fill("#composer-body", text)
        agent.click("#composer button[name=new_status][value='']")
        agent.wait_for_function(f"document.querySelector('#thread').innerText.includes({text!r})", timeout=10_000)

    reply("It is with the courier today")
    visitor.wait_for_function(
        "() => document.querySelector('#helpline-chat').shadowRoot.querySelector('.log').innerText"
        ".includes('It is with the courier today')",
        timeout=10_000,
    )

    # The network drops: the agent writes twice meanwhile; the visitor comes back and sees both once.
    visitor_context.set_offline(True)
    visitor.evaluate("() => window.dispatchEvent(new Event('offline'))")
    reply("Tracking number is HL-1234")
    reply("Anything else I can do?")
    time.sleep(0.5)
    assert _bubbles(visitor, "HL-1234") == 0  # really cut off: nothing arrived while offline
    visitor_context.set_offline(False)
    visitor.evaluate("() => window.dispatchEvent(new Event('online'))")
    visitor.wait_for_function(
        "() => document.querySelector('#helpline-chat').shadowRoot.querySelector('.log').innerText"
        ".includes('Anything else I can do?')",
        timeout=20_000,
    )
    for text in ("my parcel has not arrived", "with the courier today", "HL-1234", "Anything else I can do?"):
        assert _bubbles(visitor, text) == 1, text
    order = visitor.evaluate(
        "() => Array.from(document.querySelector('#helpline-chat').shadowRoot.querySelectorAll('.msg[data-id]'))"
        ".map(m => Number(m.dataset.id))"
    )
    assert order == sorted(order) and len(order) == 4

    # A reload (or coming back another day) shows the same conversation from the signed token.
    visitor.reload()
    visitor.wait_for_function(
        "() => { const h = document.querySelector('#helpline-chat');"
        " return h && h.shadowRoot.querySelectorAll('.msg[data-id]').length === 4; }",
        timeout=10_000,
    )
