"""Time-to-breach on the ticket page and on inbox rows (one query for the whole page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Priority, Status
from helpline.workflow import sla_actions
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client() -> Client:
    client = Client()
    client.force_login(make_agent())
    return client


@pytest.fixture
def hour_policy(db: Any) -> Any:
    return sla_actions.save_policy(
        actor=Actor.system(),
        name="One hour",
        conditions={"priority": ["urgent", "high"]},
        first_response_minutes=60,
        business_hours=False,
    )


def test_ticket_page_shows_time_to_breach_then_breached(
    clock: Any, run: Any, agent_client: Client, hour_policy: Any
) -> None:
    ticket = run(make_ticket, priority=Priority.URGENT)
    clock.advance(minutes=20)
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "First response due in 40m" in page
    clock.advance(hours=2)
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "First response breached 1h 20m ago" in page


def test_pending_ticket_shows_paused(clock: Any, run: Any, agent_client: Client, hour_policy: Any) -> None:
    ticket = run(make_ticket, priority=Priority.HIGH)
    run(ticket_actions.update_ticket, actor=Actor.system(), ticket=ticket, status=Status.PENDING)
    assert "SLA paused" in agent_client.get(f"/tickets/{ticket.number}/").content.decode()


def test_inbox_rows_show_time_to_breach_in_one_query(
    clock: Any, run: Any, agent_client: Client, hour_policy: Any
) -> None:
    for _ in range(2):
        run(make_ticket, priority=Priority.URGENT)
    with CaptureQueriesContext(connection) as few:
        agent_client.get("/tickets/?view=all")
    for n in range(8):
        clock.advance(minutes=1)
        run(make_ticket, priority=Priority.URGENT if n % 2 else Priority.LOW)
    clock.advance(minutes=1)
    with CaptureQueriesContext(connection) as many:
        page = agent_client.get("/tickets/?view=all").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("data-sla-due=") == 6
    assert "First response due in 51m" in page  # the first ticket of this batch, nine minutes old
