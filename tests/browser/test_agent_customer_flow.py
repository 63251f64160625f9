"""The whole loop in a real browser: a customer opens a request through the public form, an agent
replies from the workspace, a second agent watching the same ticket sees presence and the live update,
and the customer sees the reply in the portal, live, without reloading."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, file_portal_request, mailed_texts, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions
for name in ("amara", "bold"):
    actions.create_agent(actor=None, username=name, password="e2e-Password-1", role="agent",
                         display_name=name.title())
print(json.dumps("ok"))
"""


def _magic_link(outbox: Path, to: str) -> str:
    for body in mailed_texts(outbox, to):
        found = re.search(r"https?://\S+/portal/auth/\S+/", body)
        if found:
            return found.group(0)
    raise AssertionError(f"no sign-in link mailed to {to} in {outbox}")


def test_customer_request_agent_reply_live_everywhere(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    server.run_python(SEED)

    # 1. The customer writes in Georgian through the public web form.
    customer = browser.new_context(locale="ka-GE")
    cpage = customer.new_page()
    file_portal_request(
        cpage,
        server,
        name="ნინო ბერიძე",
        email="nino@example.ge",
        subject="ამანათი არ მოსულა",
        message="ჩემი ამანათი ორი კვირაა გზაშია. სად არის?",
    )
    number = int(re.search(r"#(\d+)", cpage.inner_text("body")).group(1))

    # 2. The confirmation mail carries a signed link; the customer follows the ticket in the portal.
    link = _magic_link(server.data_dir / "outbox", "nino@example.ge")
    cpage.goto(link)
    cpage.wait_for_selector("#thread")
    assert "ჩემი ამანათი" in cpage.inner_text("#thread")

    # 3. Two agents open the ticket; each sees that the other is there.
    amara = browser.new_context().new_page()
    sign_in(amara, server, "amara")
    bold = browser.new_context().new_page()
    sign_in(bold, server, "bold")
    amara.goto(f"{server.url}/tickets/{number}/")
    bold.goto(f"{server.url}/tickets/{number}/")
    amara.wait_for_selector("#thread")
    bold.wait_for_selector("#thread")
    amara.wait_for_function("document.querySelector('#presence').innerText.includes('Bold')", timeout=10_000)
    bold.wait_for_function("document.querySelector('#presence').innerText.includes('Amara')", timeout=10_000)

    # 4. Amara types (Bold sees it) and replies.
    amara.click("#composer-body")
    amara.type("#composer-body", "გამარჯობა ნინო! ამანათი ხვალ ჩაგბარდებათ.", delay=5)
    bold.wait_for_function(
        "document.querySelector('#presence').innerText.toLowerCase().includes('typing')", timeout=10_000
    )
    amara.click("#composer button[name=new_status][value='']")
    amara.wait_for_function("document.querySelector('#thread').innerText.includes('ხვალ ჩაგბარდებათ')", timeout=10_000)

    # 5. Bold's page shows the reply live, without a reload.
    bold.wait_for_function("document.querySelector('#thread').innerText.includes('ხვალ ჩაგბარდებათ')", timeout=15_000)

    # 6. The customer's portal page shows it live too; internal notes never do.
    cpage.wait_for_function("document.querySelector('#thread').innerText.includes('ხვალ ჩაგბარდებათ')", timeout=15_000)
    amara.check("input[name=kind][value=note]")
    amara.fill("#composer-body", "შიდა შენიშვნა: კურიერს დავურეკე")
    amara.click("#composer button[name=new_status][value='']")
    amara.wait_for_function("document.querySelector('#thread').innerText.includes('კურიერს დავურეკე')", timeout=10_000)
    cpage.reload()
    cpage.wait_for_selector("#thread")
    assert "ხვალ ჩაგბარდებათ" in cpage.inner_text("#thread")
    assert "კურიერს დავურეკე" not in cpage.content()

    # 7. A note sent right after typing (before the draft is saved) is not kept as a draft once sent.
    def slow_send(route: Any) -> None:  # a send that takes longer than the draft's save delay
        time.sleep(1)
        route.continue_()

    amara.route("**/reply/", slow_send)
    amara.fill("#composer-body", "მეორე შენიშვნა")
    amara.press("#composer-body", "Control+Enter")
    amara.wait_for_function("document.querySelector('#thread').innerText.includes('მეორე შენიშვნა')", timeout=10_000)
    amara.wait_for_timeout(800)  # past the draft's save delay
    amara.reload()
    amara.wait_for_selector("#composer-body")
    assert amara.input_value("#composer-body") == ""
