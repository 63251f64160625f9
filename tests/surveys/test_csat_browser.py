"""CSAT in a real browser: the customer follows the one-click link of the survey email, adds a
comment, changes the rating while the survey is open, and the agent sees the answer on the ticket
and the customer page. A reused link after the change window, a forged and an expired link each get
a clear page, not an error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, mailed_texts, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from helpline.accounts import actions as accounts
from helpline.core.actors import Actor
from helpline.customers import actions as customers
from helpline.tickets import actions as tickets
agent = accounts.create_agent(actor=None, username="rita", password="e2e-Password-1", role="agent",
                              display_name="Rita")
lela = customers.create_customer(actor=Actor.system(), name="Lela Kapanadze",
                                 identities=[("email", "lela@example.ge")], language="en")
ticket = tickets.open_ticket(actor=Actor.of_customer(lela), requester=lela, subject="Parcel not delivered",
                             body_text="Where is my parcel?", channel="email", assignee=agent)
# a live solve: the survey task runs (immediate backend) and mails the one-click links
tickets.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="It arrives tomorrow.", new_status="solved")
print(json.dumps({"number": ticket.number, "customer": lela.public_id}))
"""

CLOSE_WINDOW = """
import datetime as dt, json
from helpline.surveys.models import CsatSurvey
s = CsatSurvey.objects.get(ticket__number={number})
CsatSurvey.objects.filter(pk=s.pk).update(first_answered_at=s.first_answered_at - dt.timedelta(days=8))
print(json.dumps("ok"))
"""

OLD_TOKEN = """
import json, time
from unittest import mock
from helpline.surveys.models import CsatSurvey
from helpline.surveys.tokens import survey_url
s = CsatSurvey.objects.get(ticket__number={number})
with mock.patch("django.core.signing.time.time", return_value=time.time() - 31 * 24 * 3600):
    print(json.dumps(survey_url("csat", s.public_id, 5)))
"""

ANSWER = """
import json
from helpline.surveys.models import CsatSurvey
s = CsatSurvey.objects.get(ticket__number={number})
print(json.dumps([s.rating, s.comment]))
"""


def _survey_links(outbox: Path, to: str) -> dict[int, str]:
    for body in mailed_texts(outbox, to):
        links = re.findall(r"https?://\S+/survey/\S+/\?rating=(\d)", body)
        if links:
            urls = re.findall(r"https?://\S+/survey/\S+/\?rating=\d", body)
            return {int(n): url for n, url in zip(links, urls, strict=True)}
    raise AssertionError(f"no survey mailed to {to} in {outbox}")


def test_customer_rates_comments_and_changes_and_bad_links_get_a_page(
    live_server_process: LiveServer, browser: Any
) -> None:
    server = live_server_process
    seed = server.run_python(SEED)
    number = seed["number"]
    links = _survey_links(server.data_dir / "outbox", "lela@example.ge")
    assert sorted(links) == [1, 2, 3, 4, 5]

    # 1. One click in the email records 4; the page says so and offers a comment.
    customer = browser.new_context()
    page = customer.new_page()
    response = page.goto(links[4])
    assert response is not None and response.status == 200
    assert "You chose 4." in page.inner_text("[data-survey-saved]")
    assert page.is_checked("input[name=rating][value='4']")
    assert server.run_python(ANSWER.format(number=number)) == [4, ""]

    # 2. The customer adds a comment and sends it.
    page.fill("#survey-comment", "Quick and kind, thank you")
    page.click("section.survey form button[type=submit]")
    page.wait_for_url(re.compile(r".*saved=1"))
    assert "You chose 4." in page.inner_text("[data-survey-saved]")
    assert page.input_value("#survey-comment") == "Quick and kind, thank you"

    # 3. Still within the window: they change their mind to 5 by clicking the rating.
    page.click("label.survey-choice:has(input[value='5'])")
    page.click("section.survey form button[type=submit]")
    page.wait_for_url(re.compile(r".*saved=1"))
    assert "You chose 5." in page.inner_text("[data-survey-saved]")
    assert server.run_python(ANSWER.format(number=number)) == [5, "Quick and kind, thank you"]

    # 4. The agent sees the answer on the ticket and on the customer page.
    agent = browser.new_context().new_page()
    sign_in(agent, server, "rita")
    agent.goto(f"{server.url}/tickets/{number}/")
    card = agent.inner_text("#ticket-csat")
    assert "5/5" in card and "Quick and kind, thank you" in card
    agent.goto(f"{server.url}/customers/{seed['customer']}/")
    assert "Quick and kind" in agent.inner_text(".csat-history")
    assert "100" in agent.inner_text("[data-c360=csat]")

    # 5. After the change window the same link shows the kept answer, with no form.
    server.run_python(CLOSE_WINDOW.format(number=number))
    response = page.goto(links[1])
    assert response is not None and response.status == 409
    text = page.inner_text("main")
    assert "can no longer be changed" in text and "Your answer (5) is kept." in text
    assert page.locator("section.survey textarea[name=comment]").count() == 0
    assert server.run_python(ANSWER.format(number=number)) == [5, "Quick and kind, thank you"]

    # 6. A forged link and an expired one each get a page saying what happened.
    token = links[3].split("/survey/", 1)[1].split("/", 1)[0]
    response = page.goto(links[3].replace(token, token[:-4] + "abcd"))
    assert response is not None and response.status == 400
    assert "This survey link does not work" in page.inner_text("h1")
    response = page.goto(server.run_python(OLD_TOKEN.format(number=number)))
    assert response is not None and response.status == 410
    assert "This survey has closed" in page.inner_text("h1")
    assert page.locator("a[href$='/portal/new/']").count() >= 1
    assert server.run_python(ANSWER.format(number=number)) == [5, "Quick and kind, thank you"]
    customer.close()
