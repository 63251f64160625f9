"""The dashboard in headless Chromium: charts render with data; a screenshot is kept for review
in test-results/reports-dashboard.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, sign_in

pytestmark = pytest.mark.browser

SEED = """
import datetime as dt, json, random
from django.utils import timezone
from helpline.accounts import actions as accounts
from helpline.core.actors import Actor
from helpline.customers import actions as customers
from helpline.surveys import actions as surveys
from helpline.surveys.models import CsatSurvey
from helpline.tickets import actions as tickets
random.seed(7)
boss = accounts.create_agent(actor=None, username="boss", password="e2e-Password-1", role="supervisor",
                             display_name="Boss")
agents = [accounts.create_agent(actor=None, username=n, password="e2e-Password-1", role="agent",
                                display_name=n.title()) for n in ("nino", "abebe", "saraa")]
teams = [accounts.create_team(actor=None, name=n, members=agents) for n in ("Billing", "Delivery")]
now = timezone.now()
comments = ["Fast and friendly, thank you!", "Solved in minutes", "", "Great help"]
for i in range(90):
    c = customers.create_customer(actor=Actor.system(), name=f"Customer {i}",
                                  identities=[("email", f"c{i}@example.com")], language=random.choice(["en", "ka", "am"]))
    at = now - dt.timedelta(days=random.randint(0, 13), hours=random.randint(0, 23))
    agent = random.choice(agents)
    t = tickets.open_ticket(actor=Actor.of_customer(c), requester=c, subject="Help", body_text="Please help",
                            channel=random.choice(["email", "chat", "web", "whatsapp"]), team=random.choice(teams),
                            assignee=agent, created_at=at)
    reply_at = min(at + dt.timedelta(minutes=random.randint(5, 600)), now)
    solve = random.random() < 0.7
    tickets.add_message(actor=Actor.of_agent(agent), ticket=t, kind="reply", body_text="Done",
                        new_status="solved" if solve else None, created_at=reply_at)
    if solve and random.random() < 0.8:
        s = surveys.create_csat_survey(actor=Actor.system(), ticket=t, at=reply_at) or CsatSurvey.objects.get(ticket=t)
        surveys.answer_csat(actor=Actor.of_customer(c), survey=s, rating=random.choice([5, 5, 4, 4, 3, 2]),
                            comment=random.choice(comments), at=min(reply_at + dt.timedelta(hours=1), now))
print(json.dumps("ok"))
"""


def test_dashboard_renders_charts_with_data(live_server_process: LiveServer, browser: Any) -> None:
    server = live_server_process
    server.run_python(SEED)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, server, "boss")
    page.goto(f"{server.url}/reports/")
    page.wait_for_function("document.documentElement.dataset.chartsReady === '8'", timeout=90_000)
    for chart in ("trend", "csat", "ratings", "channels", "teams", "languages", "types", "hours"):
        assert page.get_attribute(f"#chart-{chart}", "data-rendered") == "true"
        box = page.locator(f"#chart-{chart}").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    # the trend canvas is not blank: some pixels differ from the first one
    painted = page.evaluate(
        """() => { const c = document.getElementById('chart-trend'); const d = c.getContext('2d')
             .getImageData(0, 0, c.width, c.height).data; for (let i = 4; i < d.length; i += 4)
             if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2] || d[i+3] !== d[3]) return true; return false; }"""
    )
    assert painted
    assert page.locator("#leaderboard tbody tr").count() == 3
    assert page.locator("[data-kpi=csat] .kpi-value").inner_text().endswith("%")
    out = Path("test-results")
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "reports-dashboard.png"), full_page=True)
    assert (out / "reports-dashboard.png").stat().st_size > 10_000
    assert page.locator("[data-empty-report]").count() == 0 and page.locator(".chart-empty").count() == 0
    # filters that match nothing: every chart is drawn empty and says so, the page says why
    page.goto(f"{server.url}/reports/?channel=telegram")
    page.wait_for_function("document.documentElement.dataset.chartsReady === '8'", timeout=90_000)
    assert page.locator("[data-empty-report]").is_visible()
    assert page.locator(".chart-empty").count() == 8
    assert page.locator("canvas[data-empty=true]").count() == 8
    context.close()
