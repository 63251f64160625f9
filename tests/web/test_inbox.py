"""The ticket list: views, filters, keyset pages, bulk changes, saved views and query budgets."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.tickets import actions, merge_actions
from helpline.tickets.models import SavedView, Status
from helpline.web import inbox
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db


def _numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', response.content.decode())]


def test_builtin_views_and_counts(agent, agent_client):
    team = make_team(members=[agent])
    other = make_agent()
    mine = make_ticket(subject="Mine")
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=mine, assignee=agent)
    theirs = make_ticket(subject="Theirs")
    actions.update_ticket(actor=Actor.of_agent(other), ticket=theirs, assignee=other, team=team)
    loose = make_ticket(subject="Nobody's")
    done = make_ticket(subject="Done")
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=done, status=Status.SOLVED)

    assert _numbers(agent_client.get("/tickets/?view=mine")) == [mine.number]
    assert set(_numbers(agent_client.get("/tickets/?view=unassigned"))) == {loose.number}
    assert _numbers(agent_client.get("/tickets/?view=my_teams")) == [theirs.number]
    assert _numbers(agent_client.get("/tickets/?view=solved")) == [done.number]
    assert set(_numbers(agent_client.get("/tickets/?view=all"))) == {
        mine.number,
        theirs.number,
        loose.number,
        done.number,
    }
    assert agent_client.get("/").url == "/tickets/"

    counts = agent_client.get("/tickets/counts/").json()
    assert counts == {"mine": 1, "unassigned": 1, "my_teams": 1, "open": 3, "all": 4, "solved": 1}
    # The page leaves the counts to the counts endpoint (fetched once shown), with a slot per view.
    page = agent_client.get("/tickets/?view=open").content.decode()
    assert 'data-count-for="open"></span>' in page and 'data-counts-url="/tickets/counts/"' in page


def test_counts_past_the_cap_show_a_floor(agent, agent_client, monkeypatch):
    team = make_team(members=[agent])
    for i in range(3):
        ticket = make_ticket(subject=f"Team ticket {i}")
        actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, team=team)
    monkeypatch.setattr(inbox, "VIEW_COUNT_CAP", 3)
    counts = agent_client.get("/tickets/counts/").json()
    assert counts == {"mine": 0, "unassigned": "2+", "my_teams": "2+", "open": "2+", "all": "2+", "solved": 0}
    monkeypatch.setattr(inbox, "VIEW_COUNT_CAP", 4)
    assert agent_client.get("/tickets/counts/").json()["my_teams"] == 3


def test_filters_combine_with_the_view_and_bad_values_show_an_error(agent, agent_client):
    urgent = make_ticket(subject="Server down", priority="urgent", channel="phone", tags=["outage"])
    make_ticket(subject="Question", priority="low", channel="email")
    assert _numbers(agent_client.get("/tickets/?view=open&priority=urgent")) == [urgent.number]
    assert _numbers(agent_client.get("/tickets/?view=open&channel=phone")) == [urgent.number]
    assert _numbers(agent_client.get("/tickets/?view=open&tag=outage")) == [urgent.number]
    response = agent_client.get("/tickets/?view=open&assignee=somebody")
    assert response.status_code == 422
    assert "Assignee must be an id" in response.content.decode()
    assert agent_client.get("/tickets/?view=saved-999").status_code == 404


def test_keyset_pages_follow_the_cursor(agent_client):
    customer = make_customer()
    created = [make_ticket(customer, subject=f"Ticket {i}").number for i in range(30)]
    first = agent_client.get("/tickets/?view=all&sort=-number")
    assert _numbers(first) == sorted(created, reverse=True)[:25]
    link = re.search(r'href="\?([^"]*cursor=[^"]+)"', first.content.decode())
    assert link
    second = agent_client.get("/tickets/?" + link.group(1).replace("&amp;", "&"))
    assert _numbers(second) == sorted(created, reverse=True)[25:]
    assert "cursor=" not in second.content.decode().split('class="pager"')[1].split("First page")[1]


def test_htmx_filter_request_returns_only_the_list(agent_client):
    ticket = make_ticket()
    response = agent_client.get("/tickets/?view=all", headers={"HX-Request": "true", "HX-Target": "ticket-list"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and f"ticket-row-{ticket.number}" in body
    row = agent_client.get(f"/tickets/{ticket.number}/row/").content.decode()
    assert row.strip().startswith("<tr") and f"#{ticket.number}" in row


def test_list_queries_stay_constant(agent, agent_client, django_assert_max_num_queries):
    team = make_team(members=[agent])
    SavedView.objects.create(owner=agent, name="Urgent", filters={"priority": "urgent"})

    def add_tickets(n: int) -> None:
        for i in range(n):
            customer = make_customer(name="" if i % 2 else f"Customer {i}")  # nameless ones show their email
            ticket = make_ticket(customer, tags=["a", f"t{i}"], priority="urgent" if i % 3 else "normal")
            actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, assignee=agent, team=team)

    add_tickets(3)
    with CaptureQueriesContext(connection) as few:
        assert agent_client.get("/tickets/?view=all").status_code == 200
    add_tickets(20)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = agent_client.get("/tickets/?view=all")
    assert len(_numbers(response)) == 23
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bulk_update_reports_changes_and_errors(agent, agent_client):
    tickets = [make_ticket(subject=f"Bulk {i}") for i in range(3)]
    target = make_ticket(subject="Survivor")
    merge_actions.merge_tickets(actor=Actor.of_agent(agent), source=tickets[2], target=target)
    response = agent_client.post(
        "/tickets/bulk/",
        {"tickets": [t.number for t in tickets], "action": "assignee", "assignee": "me", "next": "/tickets/?view=all"},
        follow=True,
    )
    body = response.content.decode()
    assert "2 tickets changed." in body
    assert "1 ticket could not be changed" in body and f"#{tickets[2].number}" in body
    for ticket in tickets[:2]:
        ticket.refresh_from_db()
        assert ticket.assignee_id == agent.pk and ticket.status == Status.OPEN

    agent_client.post("/tickets/bulk/", {"tickets": [tickets[0].number], "action": "add_tag", "add_tag": "Refund"})
    assert list(tickets[0].tags.values_list("name", flat=True)) == ["refund"]
    agent_client.post("/tickets/bulk/", {"tickets": [tickets[0].number], "action": "status", "status": "solved"})
    tickets[0].refresh_from_db()
    assert tickets[0].status == Status.SOLVED
    response = agent_client.post("/tickets/bulk/", {"action": "status", "status": "solved"}, follow=True)
    assert "Select at least one ticket." in response.content.decode()


def test_saved_views_personal_and_shared(agent, agent_client, login):
    urgent = make_ticket(priority="urgent")
    make_ticket(priority="low")
    filters = json.dumps({"priority": "urgent", "status": "active"})
    response = agent_client.post("/tickets/views/", {"name": "Fires", "filters": filters, "sort": "-created_at"})
    view = SavedView.objects.get(name="Fires")
    assert response.url == f"/tickets/?view=saved-{view.pk}" and not view.shared
    assert _numbers(agent_client.get(response.url)) == [urgent.number]
    assert agent_client.get("/tickets/counts/").json()[f"saved-{view.pk}"] == 1

    refused = agent_client.post("/tickets/views/", {"name": "Team", "filters": filters, "shared": "on"}, follow=True)
    assert "Only supervisors and admins may share views." in refused.content.decode()
    assert not SavedView.objects.filter(name="Team").exists()

    supervisor = make_agent(Role.SUPERVISOR)
    login(supervisor).post("/tickets/views/", {"name": "Everyone", "filters": filters, "shared": "on"})
    shared = SavedView.objects.get(name="Everyone")
    assert shared.shared and "Everyone" in agent_client.get("/tickets/").content.decode()
    assert "Fires" not in login(supervisor).get("/tickets/").content.decode()

    bad = agent_client.post("/tickets/views/", {"name": "Bad", "filters": json.dumps({"colour": "red"})}, follow=True)
    assert "Unknown filter: colour" in bad.content.decode()

    agent_client.post(f"/tickets/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert agent_client.post(f"/tickets/views/{shared.pk}/delete/").status_code == 403
