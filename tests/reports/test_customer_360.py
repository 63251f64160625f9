from __future__ import annotations

import pytest
from django.test import Client

from helpline.reports.customer360 import customer_360
from tests.factories import make_agent, make_customer
from tests.reports.dataset import Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build()


def test_relationship_figures(desk: Desk, django_assert_max_num_queries: object) -> None:
    c1 = desk.customers["c1"]
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        c = customer_360(c1)
    assert (c.lifetime_tickets, c.open_tickets) == (3, 0)
    assert c.channels == [("email", 4)]  # three opening messages and the reopening one
    assert (c.csat_answers, c.csat_average, c.csat_percent) == (2, 4.5, 100.0)
    assert [s.rating for s in c.csat_history] == [4, 5]  # newest first
    assert c.nps is not None and c.nps.score == 10
    # every interaction: 9 messages on t0, t1, t3 (no notes), 2 CSAT answers, 1 NPS answer; newest first
    assert len(c.timeline) == 12
    assert [(e.kind, e.rating) for e in c.timeline[:3]] == [("nps", 10), ("csat", 4), ("reply", None)]
    assert {e.kind for e in c.timeline} == {"inbound", "reply", "csat", "nps"}
    empty = customer_360(make_customer())
    assert (empty.lifetime_tickets, empty.csat_answers, empty.nps, empty.last_contact) == (0, 0, None, None)


def test_customer_page_shows_the_relationship(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent())
    page = client.get(f"/customers/{desk.customers['c1'].public_id}/").content.decode()
    assert 'id="customer-360"' in page
    assert 'data-c360="lifetime">3<' in page
    assert "Satisfaction history" in page and "★★★★★" in page
    assert "NPS 10/10" in page
    assert 'id="customer-timeline"' in page and page.count('data-kind="inbound"') == 4
