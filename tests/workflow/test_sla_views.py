"""Lists sort by live time-to-breach and filter breached / due within N hours: inbox, saved views, API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import actions as ticket_actions
from helpline.tickets import selectors, workspace_actions
from helpline.tickets.models import Priority, Status, Ticket
from helpline.workflow import sla_actions
from tests.api.conftest import ApiClient, assert_error, token_for
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> Any:
    return make_agent()


@pytest.fixture
def agent_client(agent: Any) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def policies(db: Any) -> None:
    """Urgent: first response in 1 h; high: 4 h; normal: 24 h; low tickets get no policy."""
    for position, (name, priority, minutes) in enumerate(
        [("Urgent", "urgent", 60), ("High", "high", 240), ("Normal", "normal", 24 * 60)]
    ):
        sla_actions.save_policy(
            actor=Actor.system(),
            name=name,
            position=position,
            conditions={"priority": [priority]},
            first_response_minutes=minutes,
            business_hours=False,
        )


@pytest.fixture
def desk(clock: Any, run: Any, policies: None) -> dict[str, Ticket]:
    """Five tickets opened at 08:00: due 09:00, 12:00, 08:00 next day, none (low) and one paused."""
    tickets = {
        "normal": run(make_ticket, priority=Priority.NORMAL),
        "urgent": run(make_ticket, priority=Priority.URGENT),
        "low": run(make_ticket, priority=Priority.LOW),
        "high": run(make_ticket, priority=Priority.HIGH),
        "paused": run(make_ticket, priority=Priority.URGENT),
    }
    run(ticket_actions.update_ticket, actor=Actor.system(), ticket=tickets["paused"], status=Status.PENDING)
    return tickets


def _numbers(items: list[Ticket]) -> list[int]:
    return [t.number for t in items]


def _walk(qs: Any, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.paginate(qs, sort="sla_due", cursor=cursor, limit=limit)
        seen += _numbers(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_sort_due_soonest_nulls_last_tie_break_by_id(clock: Any, desk: dict[str, Ticket]) -> None:
    qs = selectors.visible_tickets(Actor.system())
    page = selectors.paginate(qs, sort="sla_due", limit=100)
    order = _numbers(page.items)
    assert order[:3] == [desk["urgent"].number, desk["high"].number, desk["normal"].number]
    # No running target (no policy, or paused): after every dated one, by id.
    assert order[3:] == sorted([desk["low"].number, desk["paused"].number])


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_keyset_pages_cover_every_ticket_once(clock: Any, run: Any, desk: dict[str, Ticket], limit: int) -> None:
    # Ties on the due time (same second) and several NULLs: the id breaks them.
    twins = [run(make_ticket, priority=Priority.URGENT) for _ in range(2)]
    extra_low = [run(make_ticket, priority=Priority.LOW) for _ in range(3)]
    qs = selectors.visible_tickets(Actor.system())
    everything = _numbers(selectors.paginate(qs, sort="sla_due", limit=100).items)
    assert len(everything) == 10
    assert _walk(qs, limit) == everything
    urgent_block = everything[:3]
    assert urgent_block == sorted([desk["urgent"].number, *(t.number for t in twins)])
    assert everything[-5:] == sorted([desk["low"].number, desk["paused"].number, *(t.number for t in extra_low)])


def test_sort_follows_the_live_clock(clock: Any, run: Any, desk: dict[str, Ticket]) -> None:
    # The agent answers the urgent ticket: its first response is met, so it drops to the end.
    agent = make_agent()
    run(ticket_actions.add_reply, actor=Actor.of_agent(agent), ticket=desk["urgent"], body_text="On it.")
    qs = selectors.visible_tickets(Actor.system())
    order = _numbers(selectors.paginate(qs, sort="sla_due", limit=100).items)
    assert order[0] == desk["high"].number
    assert desk["urgent"].number in order[2:]


def test_filter_breached_and_due_within(clock: Any, desk: dict[str, Ticket]) -> None:
    base = selectors.visible_tickets(Actor.system())

    def matching(**filters: Any) -> set[int]:
        return {t.number for t in selectors.filter_tickets(base, filters, agent=None)}

    assert matching(sla="breached") == set()
    assert matching(sla_due_within=1) == {desk["urgent"].number}
    assert matching(sla_due_within="4") == {desk["urgent"].number, desk["high"].number}
    clock.advance(hours=2)  # 10:00: urgent is an hour late, high due in 2 h
    assert matching(sla="breached") == {desk["urgent"].number}
    assert matching(sla_due_within=2) == {desk["high"].number}
    assert matching(sla_due_within=24) == {desk["high"].number, desk["normal"].number}
    assert matching(sla="breached", sla_due_within=24) == {desk["urgent"].number}


@pytest.mark.parametrize(
    "filters",
    [{"sla": "late"}, {"sla_due_within": "soon"}, {"sla_due_within": "0"}, {"sla_due_within": "999999"}],
)
def test_bad_sla_filters_are_refused(desk: dict[str, Ticket], filters: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError) as info:
        selectors.filter_tickets(selectors.visible_tickets(Actor.system()), filters, agent=None)
    assert info.value.code == "invalid_filter"


def test_forged_cursor_is_refused(desk: dict[str, Ticket]) -> None:
    with pytest.raises(InvalidInputError):
        selectors.paginate(Ticket.objects.all(), sort="sla_due", cursor="bm90IGpzb24", limit=2)


def test_inbox_sorts_and_filters_by_time_to_breach(clock: Any, desk: dict[str, Ticket], agent_client: Client) -> None:
    clock.advance(hours=2)
    page = agent_client.get("/tickets/", {"view": "all", "sort": "sla_due"}).content.decode()
    positions = [page.index(f"#{desk[k].number}<") for k in ("urgent", "high", "normal")]
    assert positions == sorted(positions)
    assert "SLA due soonest" in page
    breached = agent_client.get("/tickets/", {"view": "all", "sla": "breached"}).content.decode()
    assert f"#{desk['urgent'].number}<" in breached
    assert f"#{desk['high'].number}<" not in breached
    soon = agent_client.get("/tickets/", {"view": "all", "sla_due_within": "4"}).content.decode()
    assert f"#{desk['high'].number}<" in soon
    assert f"#{desk['normal'].number}<" not in soon
    refused = agent_client.get("/tickets/", {"view": "all", "sla_due_within": "soon"})
    assert refused.status_code == 422


def test_inbox_keyset_pages_with_sla_sort(clock: Any, run: Any, policies: None, agent_client: Client) -> None:
    numbers = [run(make_ticket, priority=Priority.URGENT if n % 3 else Priority.LOW).number for n in range(30)]
    seen: list[int] = []
    query: dict[str, str] = {"view": "all", "sort": "sla_due"}
    for _ in range(5):
        response = agent_client.get("/tickets/", query)
        html = response.content.decode()
        seen += [n for n in numbers if f"#{n}<" in html]
        next_cursor = response.context["page"].next_cursor
        if not next_cursor:
            break
        query = {**query, "cursor": next_cursor}
    assert sorted(seen) == sorted(numbers) and len(seen) == 30


def test_saved_view_keeps_sla_filter_and_sort(clock: Any, desk: dict[str, Ticket], agent: Any) -> None:
    view = workspace_actions.save_view(
        actor=Actor.of_agent(agent), name="Due today", filters={"sla_due_within": "24"}, sort="sla_due", shared=False
    )
    client = Client()
    client.force_login(agent)
    page = client.get("/tickets/", {"view": f"saved-{view.pk}"}).content.decode()
    shown = [k for k in desk if f"#{desk[k].number}<" in page]
    assert sorted(shown) == ["high", "normal", "urgent"]
    assert page.index(f"#{desk['urgent'].number}<") < page.index(f"#{desk['normal'].number}<")
    with pytest.raises(InvalidInputError):
        workspace_actions.save_view(
            actor=Actor.of_agent(agent), name="Bad", filters={"sla": "whenever"}, sort="sla_due", shared=False
        )


def test_api_list_sorts_and_filters_by_sla(clock: Any, desk: dict[str, Ticket], agent: Any) -> None:
    api = ApiClient(token_for(agent))
    clock.advance(hours=2)
    body = api.get("/tickets", {"sort": "sla_due", "limit": 2}).json()
    assert [t["number"] for t in body["items"]] == [desk["urgent"].number, desk["high"].number]
    rest = api.get("/tickets", {"sort": "sla_due", "limit": 10, "cursor": body["next_cursor"]}).json()
    assert rest["items"][0]["number"] == desk["normal"].number and rest["next_cursor"] is None
    breached = api.get("/tickets", {"sla": "breached"}).json()
    assert [t["number"] for t in breached["items"]] == [desk["urgent"].number]
    soon = api.get("/tickets", {"sla_due_within": 3}).json()
    assert [t["number"] for t in soon["items"]] == [desk["high"].number]
    assert_error(api.get("/tickets", {"sla": "late"}), 422)
    assert_error(api.get("/tickets", {"sla_due_within": 0}), 422)
