"""Article suggestions in real browsers: while a customer types a request in the web form and in
the chat widget (nothing for "hello"), reading a suggestion and leaving counts as a deflection;
on the ticket page an agent inserts an article link, or the answer of a similar solved ticket, into
the reply with one click."""

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
from helpline.customers.actions import resolve_customer
from helpline.knowledge import actions as kb
from helpline.tickets.actions import open_ticket
agent = actions.create_agent(actor=None, username="kbagent", password="e2e-Password-1", role="agent",
                             display_name="KB Agent")
chat_actions.set_chat_status(actor=Actor.of_agent(agent), status="online")
category = kb.create_category(actor=Actor.system(), name="Accounts")
section = kb.create_section(actor=Actor.system(), category=category, name="Getting started")
for key, title, body in [
    ("reset-password", "Reset your password",
     "If you forgot your password, open the sign-in page, choose **Forgot password** and follow the link."),
    ("card-delivery", "When will my card arrive?",
     "New cards are delivered by post within 5 to 7 business days after you order them."),
]:
    draft = kb.create_article(actor=Actor.system(), section=section, language="en", title=title, body=body, key=key)
    kb.publish(actor=Actor.system(), translation=draft)
customer, _new = resolve_customer(kind="email", value="ana@example.com", name="Ana", language="en", channel="web")
earlier = open_ticket(actor=Actor.of_customer(customer), requester=customer, subject="New card never arrived",
                      body_text="Ordered in May.", channel="web")
from helpline.tickets.actions import add_reply
add_reply(actor=Actor.of_agent(agent), ticket=earlier, body_text="We sent a replacement card by courier.",
          new_status="solved")
ticket = open_ticket(actor=Actor.of_customer(customer), requester=customer, subject="Card never arrived",
                     body_text="I ordered a new card two weeks ago.", channel="web")
print(json.dumps(ticket.number))
"""

DEFLECTIONS = """
import json
from helpline.knowledge.models import ArticleTranslation
print(json.dumps({t.article.key: t.deflections for t in ArticleTranslation.objects.select_related("article")}))
"""


def deflections(server: LiveServer, key: str, expected: int) -> int:
    """The article's deflections, waiting a little for the count to reach `expected` (it is sent as
    the page goes away)."""
    count = -1
    for _attempt in range(20):
        count = int(server.run_python(DEFLECTIONS)[key])
        if count >= expected:
            break
        time.sleep(0.5)
    return count


def test_suggestions_deflections_and_one_click_insert(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    number = server.run_python(SEED)

    # 1. The web form: a greeting pulls nothing, the question its article; read it, then leave.
    context = browser.new_context(locale="en-US")
    form = context.new_page()
    form.goto(f"{server.url}/portal/new/")
    form.fill("input[name=subject]", "hello")
    form.wait_for_timeout(1500)
    assert form.locator("[data-kb-article]").count() == 0
    form.fill("input[name=subject]", "I forgot my password")
    form.wait_for_selector("[data-kb-article]", timeout=15_000)
    assert "Reset your password" in form.inner_text(".kb-suggest-box")
    with context.expect_page() as opened:
        form.click("[data-kb-article]")
    assert "/help/en/articles/" in opened.value.url
    form.goto("about:blank")
    assert deflections(server, "reset-password", 1) == 1

    # 2. The chat widget, on a page of the customer's site: the same, over its socket.
    visitor = context.new_page()
    visitor.goto(f"{server.url}/chat/demo/")
    visitor.click(".launcher")
    visitor.fill(".panel textarea", "hi")
    visitor.wait_for_timeout(1500)
    assert visitor.locator(".tips a").count() == 0
    visitor.fill(".panel textarea", "When will my card arrive?")
    visitor.wait_for_selector(".tips a", timeout=15_000)
    assert "When will my card arrive?" in visitor.inner_text(".tips")
    with context.expect_page() as opened:
        visitor.click(".tips a")
    assert "/help/en/articles/" in opened.value.url
    visitor.goto("about:blank")
    assert deflections(server, "card-delivery", 1) == 1

    # 3. The agent's ticket page: the article panel searches the subject; one click inserts the link,
    # another the last answer of a solved ticket on the same subject.
    agent = sign_in(browser.new_context().new_page(), server, "kbagent")
    agent.goto(f"{server.url}/tickets/{number}/")
    agent.wait_for_selector("#kb-suggest-results [data-kb-insert]", timeout=15_000)
    link = agent.get_attribute("#kb-suggest-results [data-kb-insert]", "data-kb-insert")
    assert link and "/help/en/articles/" in link
    agent.click("#kb-suggest-results [data-kb-insert]")
    assert link in agent.input_value("#composer-body")
    agent.wait_for_selector("[data-kb-reuse]", timeout=15_000)
    agent.click("[data-kb-reuse]")
    body = agent.input_value("#composer-body")
    assert link in body and body.rstrip().endswith("We sent a replacement card by courier.")
