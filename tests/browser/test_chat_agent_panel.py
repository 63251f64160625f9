"""The agent's side of a chat in real browsers: a waiting visitor sees their place in the queue until
an agent comes online and takes the chat; beside the chat the agent sees the page the visitor is on,
following them as they navigate, and puts a canned response into the reply in the customer's language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_chat_widget import sign_in_agent
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions
from helpline.core.actors import Actor
from helpline.workflow.macros import save_macro
admin = actions.create_agent(actor=None, username="paneladmin", password="e2e-Password-1", role="admin",
                             display_name="Nino Admin")
save_macro(actor=Actor.of_agent(admin), name="Greeting", body="Hello {{ customer.first_name }}!",
           variants={"ka": "გამარჯობა, {{ agent.first_name }} გწერთ!"})
print(json.dumps("ok"))
"""

TICKET_NUMBER = """
import json
from helpline.tickets.models import Ticket
print(json.dumps(Ticket.objects.filter(channel="chat").order_by("-id").values_list("number", flat=True).first()))
"""

SHADOW = "document.querySelector('#helpline-chat').shadowRoot"


def test_queue_position_then_the_agent_sees_the_visitors_page_live_and_uses_a_canned_response(
    live_server_process: LiveServer, browser: Any
) -> None:
    server = live_server_process
    server.run_python(SEED)

    visitor = browser.new_context(locale="ka-GE").new_page()
    visitor.goto(f"{server.url}/chat/demo/?lang=ka")
    visitor.click(".launcher")
    visitor.fill(".panel textarea", "გამარჯობა")
    visitor.press(".panel textarea", "Enter")
    # nobody is online yet: the widget shows the place in the queue
    visitor.wait_for_function(f"() => {SHADOW}.querySelector('.queue') !== null", timeout=15_000)
    assert "1" in visitor.evaluate(f"() => {SHADOW}.querySelector('.queue').innerText")
    number = server.run_python(TICKET_NUMBER)

    agent = sign_in_agent(browser, server, "paneladmin")
    # the agent comes online: the waiting chat is theirs and the visitor's queue note goes away
    agent.goto(f"{server.url}/chat/status/")
    agent.check("#chat-status input[name=status][value=online]")
    agent.click("#chat-status button[type=submit]")
    visitor.wait_for_function(f"() => {SHADOW}.querySelector('.queue') === null", timeout=15_000)

    agent.goto(f"{server.url}/tickets/{number}/")
    agent.wait_for_selector("#chat-panel [data-chat-page]")
    assert "/chat/demo/" in agent.inner_text("#chat-panel [data-chat-page]")
    # the visitor moves on within the site: the panel follows
    visitor.evaluate(
        "() => { document.title = 'Returns and refunds'; history.pushState({}, '', '/chat/demo/?page=returns'); }"
    )
    agent.wait_for_function(
        "() => document.querySelector('#chat-panel [data-chat-page]').innerText.includes('Returns and refunds')",
        timeout=15_000,
    )
    agent.click("#chat-canned [data-canned]")
    assert agent.input_value("#composer-body") == "გამარჯობა, Nino გწერთ!"
