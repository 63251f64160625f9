from __future__ import annotations

import pytest
from django.test import Client

from helpline.accounts.models import Role
from tests.factories import make_agent
from tests.reports.dataset import Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build()


def test_summary_through_the_api(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    body = client.get("/api/reports/summary?start=2026-03-02&end=2026-03-08").json()
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["csat"]["value"] == 66.7 and kpis["csat"]["unit"] == "%"
    assert kpis["frt"]["value"] == pytest.approx(3600, abs=1) and kpis["frt"]["p90"] == pytest.approx(7200, abs=1)
    assert kpis["nps"]["value"] == 25.0
    assert "definition" in kpis["fcr"] and kpis["fcr"]["value"] == 33.3
    assert [r["agent_id"] for r in body["leaderboard"]] == [desk.a1.pk, desk.b1.pk]
    # the same figures as the page's charts
    assert {v["value"]: v["count"] for v in body["volumes"]["channel"]} == {"email": 2, "chat": 1, "web": 1}
    assert {v["value"]: v["count"] for v in body["volumes"]["team"]} == {"A": 2, "B": 2}
    assert {v["value"]: v["count"] for v in body["volumes"]["language"]} == {"en": 3, "ka": 1}
    assert body["by_hour"][0] == 3 and body["by_hour"][1] == 1 and sum(body["by_hour"]) == 4
    assert len(body["heatmap"]) == 7 and body["heatmap"][0][1] == 1
    assert body["csat_distribution"] == [0, 1, 0, 1, 1]
    assert body["csat_by"]["team"] == [
        {"value": "A", "answers": 2, "percent_satisfied": 100.0},
        {"value": "B", "answers": 1, "percent_satisfied": 0.0},
    ]
    assert [(r["value"], r["answers"]) for r in body["csat_by"]["channel"]] == [("email", 2), ("chat", 1)]
    assert kpis["response"]["value"] == pytest.approx(3600, abs=1)
    assert body["retention"] == {
        "previous_customers": 2,
        "retained": 1,
        "churned": 1,
        "current_customers": 3,
        "retention_percent": 50.0,
        "churn_percent": 50.0,
    }
    assert body["backlog"]["total"] == 3


def test_filters_matching_nothing_give_empty_figures_not_an_error(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    response = client.get("/api/reports/summary?start=2026-03-02&end=2026-03-08&channel=telegram")
    assert response.status_code == 200
    body = response.json()
    assert body["volumes"]["channel"] == [] and sum(body["by_hour"]) == 0
    assert {k["key"]: k["value"] for k in body["kpis"]}["csat"] is None


def test_agents_get_their_own_figures_and_bad_filters_are_refused(desk: Desk) -> None:
    client = Client()
    client.force_login(desk.b1)
    body = client.get(f"/api/reports/summary?start=2026-03-02&end=2026-03-08&agent={desk.a1.pk}").json()
    assert [r["agent_id"] for r in body["leaderboard"]] == [desk.b1.pk]
    bad = client.get("/api/reports/summary?start=2026-03-09&end=2026-03-01")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_filters"
    assert client.get("/api/reports/summary?start=tomorrow").status_code == 422
    assert Client().get("/api/reports/summary").status_code == 401
