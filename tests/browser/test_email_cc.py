"""In Chromium: an agent working in Georgian sees who an email ticket's replies copy, adds an
address and drops someone from the ticket page; the history records both."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions as account_actions
from helpline.mail import actions
from helpline.mail.models import Mailbox
account_actions.create_agent(actor=None, username="tamar", password="e2e-Password-1", role="agent",
                             display_name="Tamar", language="ka")
box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
raw = (
    "From: Nino <nino@example.ge>\\r\\nTo: support@desk.example\\r\\nCc: Giorgi <giorgi@example.ge>\\r\\n"
    "Subject: printer\\r\\nMessage-ID: <e2e-cc-1@example.ge>\\r\\nMIME-Version: 1.0\\r\\n"
    "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\nპრინტერი არ მუშაობს.\\r\\n"
).encode()
print(json.dumps(actions.receive_message(mailbox=box, raw=raw).ticket))
"""


def test_agent_adds_and_drops_people_in_copy(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    number = server.run_python(SEED)
    context = browser.new_context(locale="ka-GE")
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", "tamar")
    page.fill("input[name=password]", "e2e-Password-1")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/.*"))
    page.goto(f"{server.url}/tickets/{number}/")
    panel = page.locator("#cc")
    assert panel.locator("h4").text_content() == "ასლში (Cc)"
    assert panel.locator("[data-cc]").evaluate_all("rows => rows.map(r => r.dataset.cc)") == ["giorgi@example.ge"]

    panel.locator("input[name=address]").fill("Lasha <lasha@example.ge>")
    panel.locator("button", has_text="ასლში დამატება").click()
    page.wait_for_selector('#cc [data-cc="lasha@example.ge"]')
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('#cc [data-cc="giorgi@example.ge"] button').click()
    page.wait_for_selector('#cc [data-cc="giorgi@example.ge"]', state="detached")
    assert page.locator("#cc [data-cc]").evaluate_all("rows => rows.map(r => r.dataset.cc)") == ["lasha@example.ge"]
    history = page.locator("#panel-history").text_content() or ""
    assert "lasha@example.ge" in history and "giorgi@example.ge" in history
    context.close()
