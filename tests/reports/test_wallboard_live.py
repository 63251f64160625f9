"""The live wall board: its figures (open, waiting, agents online, SLA breached now) and the desk
WebSocket messages that make it refetch them: ticket events, an agent's chat availability and SLA
breaches found by the sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from helpline.accounts.models import Role
from helpline.chat import actions as chat_actions
from helpline.core.actors import Actor
from helpline.workflow import sla_actions, sweep
from tests.factories import make_agent, make_team, make_ticket
from tests.web.test_consumers import headers_for, next_of, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _figures(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get(f"/reports/wall/figures/{query}")
    assert response.status_code == 200
    return response.json()


def test_availability_and_sla_breaches_reach_the_wall_board_live() -> None:
    supervisor = make_agent(Role.SUPERVISOR)
    team = make_team("Billing")
    nino, bold = make_agent(teams=[team]), make_agent()
    client = Client()
    client.force_login(supervisor)
    sla_actions.save_policy(actor=Actor.system(), name="Fast", first_response_minutes=5, business_hours=False)
    make_ticket(team=team)
    before = _figures(client)
    assert (before["open"], before["agents_online"], before["sla_breached"]) == (1, 0, 0)
    assert 'data-figure="agents_online"' in client.get("/reports/wall/").content.decode()

    headers = headers_for(supervisor)

    async def run() -> list[dict[str, Any]]:
        desk = await open_socket("/ws/desk/", headers)
        seen = []
        await database_sync_to_async(chat_actions.set_chat_status)(actor=Actor.of_agent(nino), status="online")
        seen.append(await next_of(desk, "figures.changed"))
        await database_sync_to_async(chat_actions.set_chat_status)(actor=Actor.of_agent(bold), status="online")
        seen.append(await next_of(desk, "figures.changed"))
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        await database_sync_to_async(sweep.run_sweep)(later)
        seen.append(await next_of(desk, "figures.changed"))
        await desk.disconnect()
        return seen

    messages = async_to_sync(run)()
    assert [m["what"] for m in messages] == ["agents", "agents", "sla"]
    after = _figures(client)
    assert (after["open"], after["agents_online"], after["sla_breached"]) == (1, 2, 1)
    assert _figures(client, f"?team={team.pk}")["agents_online"] == 1  # only the team's members


def test_a_sweep_without_breaches_pushes_nothing() -> None:
    headers = headers_for(make_agent(Role.SUPERVISOR))

    async def run() -> None:
        desk = await open_socket("/ws/desk/", headers)
        await database_sync_to_async(sweep.run_sweep)(dt.datetime.now(dt.UTC))
        assert await desk.receive_nothing(timeout=0.3)
        await desk.disconnect()

    async_to_sync(run)()
