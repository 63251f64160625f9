"""Customer segments on the hand-built desk (see dataset.py): c1 (en, email, CSAT 5 and 4),
c2 (ka, chat, CSAT 2), c3 (en, web, unrated), c4 (en, email, previous week only, unrated)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.reports import actions, segments
from helpline.tickets import actions as ticket_actions
from tests.factories import make_agent
from tests.reports.dataset import T0, D, Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build()


def names(filters: dict[str, Any], now: Any = None) -> list[str]:
    return sorted(c.name for c in segments.segment_customers(filters, now=now))


def test_each_filter(desk: Desk) -> None:
    assert names({"language": "ka"}) == ["c2"]
    assert names({"channel": "email"}) == ["c1", "c4"]
    assert names({"csat": "satisfied"}) == ["c1"]
    assert names({"csat": "dissatisfied"}) == ["c2"]
    assert names({"csat": "unrated"}) == ["c3", "c4"]
    now = T0 + 7 * D
    assert names({"active_days": 7}, now) == ["c1", "c2", "c3"]
    assert names({"inactive_days": 7}, now) == ["c4"]
    assert names({"channel": "email", "inactive_days": 7}, now) == ["c4"]


def test_tag_and_organisation(desk: Desk) -> None:
    from helpline.customers import actions as customer_actions

    admin = Actor.of_agent(make_agent(Role.ADMIN))
    ticket_actions.update_ticket(actor=admin, ticket=desk.tickets["t2"], tags=["vip"])
    assert names({"tag": "vip"}) == ["c2"]
    org = customer_actions.create_organization(actor=admin, name="Acme")
    customer_actions.update_customer(actor=admin, customer=desk.customers["c3"], organizations=[org])
    assert names({"organization": org.public_id}) == ["c3"]


def test_saving_is_for_supervisors_and_checks_the_filters(desk: Desk) -> None:
    with pytest.raises(NotPermittedError):
        actions.save_segment(actor=Actor.of_agent(make_agent()), name="x", filters={"language": "ka"})
    supervisor = Actor.of_agent(make_agent(Role.SUPERVISOR))
    for bad in ({}, {"language": "xx"}, {"csat": "happy"}, {"active_days": "0"}, {"channel": "pigeon"}):
        with pytest.raises(InvalidInputError):
            actions.save_segment(actor=supervisor, name="bad", filters=bad)
    segment = actions.save_segment(actor=supervisor, name="Unhappy", filters={"csat": "dissatisfied", "tag": ""})
    assert segment.filters == {"csat": "dissatisfied"}
    with pytest.raises(InvalidInputError):
        actions.save_segment(actor=supervisor, name="Unhappy", filters={"language": "ka"})


def test_segments_page_and_customers_list(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR))
    response = client.post("/reports/segments/", {"name": "Georgian speakers", "language": "ka"})
    assert response.status_code == 302
    page = client.get("/reports/segments/").content.decode()
    segment = segments.segments()[0]
    assert "Georgian speakers" in page and f'data-segment="{segment.public_id}"' in page
    listing = client.get(f"/customers/?segment={segment.public_id}").content.decode()
    assert 'id="segment-bar"' in listing and ">c2<" in listing and ">c1<" not in listing
    agent = Client()
    agent.force_login(make_agent())
    assert agent.post("/reports/segments/", {"name": "x", "language": "ka"}).status_code == 403
