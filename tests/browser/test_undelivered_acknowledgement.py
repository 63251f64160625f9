"""In Chromium: an agent has an email ticket open when the bounce of its acknowledgement is
processed by the server (an admin releases it from the quarantine in another tab); the notice that
the acknowledgement was not delivered appears on the agent's page without a reload, and the
history says so."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live_server import AGENT_PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser

SEED = f"""
import json
from helpline.accounts import actions as account_actions
from helpline.mail import actions
from helpline.mail.models import Acknowledgement, Mailbox, RawMessage
account_actions.create_agent(actor=None, username="desk-admin", password="{AGENT_PASSWORD}", role="admin",
                             display_name="Desk Admin")
box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
raw = (
    "From: Ann <ann@example.com>\\r\\nTo: support@desk.example\\r\\nSubject: Printer\\r\\n"
    "Message-ID: <e2e-ack-1@example.com>\\r\\nMIME-Version: 1.0\\r\\n"
    "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\nMy printer is broken.\\r\\n"
).encode()
number = actions.receive_message(mailbox=box, raw=raw).ticket
row = RawMessage.objects.get(message_id="<e2e-ack-1@example.com>")
Acknowledgement.objects.create(raw=row, mailbox=box, ticket_id=row.ticket_id, recipient="ann@example.com",
                               message_id="<hl-ack.e2e@desk.example>", status="sent", attempts=1)
bounce = (
    "Return-Path: <>\\r\\nFrom: MAILER-DAEMON@mail.example.org\\r\\nTo: support@desk.example\\r\\n"
    "Subject: failure notice\\r\\nMessage-ID: <e2e-bounce-1@mail.example.org>\\r\\n\\r\\n"
    "Hi. This is the qmail-send program at mail.example.org.\\r\\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\\r\\n\\r\\n"
    "<ann@example.com>:\\r\\nSorry, no mailbox here by that name. (#5.1.1)\\r\\n\\r\\n"
    "--- Below this line is a copy of the message.\\r\\n\\r\\n"
    "Message-ID: <hl-ack.e2e@desk.example>\\r\\nSubject: [#" + str(number) + "] Printer\\r\\n\\r\\nthe text\\r\\n"
).encode()
held = actions.quarantine_message(mailbox=box, raw=bounce, source="test", reason="held for the test")
print(json.dumps([number, held.raw_id]))
"""


def test_the_failed_acknowledgement_notice_appears_on_an_open_ticket_page(
    live_server_process: LiveServer, browser: Any
) -> None:
    server = live_server_process
    number, held = server.run_python(SEED)
    context = browser.new_context()
    agent_page = sign_in(context.new_page(), server, "desk-admin")
    agent_page.goto(f"{server.url}/tickets/{number}/")
    agent_page.wait_for_selector("#undelivered-panel", state="attached")
    assert agent_page.locator("[data-undelivered-acknowledgement]").count() == 0
    agent_page.wait_for_selector('#live-dot[data-state="open"]', state="attached")  # the ticket's socket is up

    admin_page = context.new_page()  # the same admin, in another tab: the server processes the bounce
    admin_page.goto(f"{server.url}/admin/mailboxes/quarantine/")
    admin_page.locator(f'form[action$="/quarantine/{held}/retry/"] button').click()
    admin_page.wait_for_load_state()

    notice = agent_page.wait_for_selector('[data-undelivered-acknowledgement="ann@example.com"]', timeout=10000)
    assert "no mailbox here" in (notice.text_content() or "").lower()
    history = agent_page.locator("#panel-history").text_content() or ""
    assert "delivery of the acknowledgement to ann@example.com" in history
    context.close()
