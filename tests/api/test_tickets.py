"""Tickets through the API: filters, cursor pages, create/patch recording events, merge, links, thread."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from helpline.tickets import workspace_actions
from helpline.tickets.models import Attachment, EventKind, Message, MessageKind, Ticket, TicketEvent
from tests.api.conftest import ApiClient, assert_error, token_for
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def numbers(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_list_filters(agent_api: ApiClient, agent: Any, django_capture_on_commit_callbacks: Any) -> None:
    team = make_team()
    alice = make_customer("alice@example.com", name="Alice")
    with django_capture_on_commit_callbacks(execute=True):  # after-commit work: the search index
        urgent = make_ticket(alice, subject="Invoice wrong", priority="urgent", tags=["billing"])
        mine = make_ticket(subject="Login broken", assignee=agent, team=team, channel="email")
        solved = make_ticket(subject="Thanks")
        ticket_actions.update_ticket(actor=Actor.system(), ticket=solved, status="solved")

    assert numbers(agent_api.get("/tickets", {"priority": "urgent"})) == [urgent.number]
    assert numbers(agent_api.get("/tickets", {"assignee": "me"})) == [mine.number]
    assert numbers(agent_api.get("/tickets", {"assignee": str(agent.pk)})) == [mine.number]
    assert set(numbers(agent_api.get("/tickets", {"assignee": "none"}))) == {urgent.number, solved.number}
    assert numbers(agent_api.get("/tickets", {"team": str(team.pk)})) == [mine.number]
    assert numbers(agent_api.get("/tickets", {"tag": "billing"})) == [urgent.number]
    assert numbers(agent_api.get("/tickets", {"channel": "email"})) == [mine.number]
    assert numbers(agent_api.get("/tickets", {"requester": alice.public_id})) == [urgent.number]
    assert numbers(agent_api.get("/tickets", {"status": "solved"})) == [solved.number]
    assert set(numbers(agent_api.get("/tickets", {"status": "active"}))) == {urgent.number, mine.number}
    assert numbers(agent_api.get("/tickets", {"q": "invoice"})) == [urgent.number]
    assert set(numbers(agent_api.get("/tickets", {"status": "new,open", "priority": "urgent,normal"}))) == {
        urgent.number,
        mine.number,
    }


def test_date_filters_and_sort(agent_api: ApiClient) -> None:
    import datetime as dt

    old = make_ticket(subject="Old", created_at=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    new = make_ticket(subject="New", created_at=dt.datetime(2024, 3, 10, tzinfo=dt.UTC))
    assert numbers(agent_api.get("/tickets", {"created_after": "2024-02-01"})) == [new.number]
    assert numbers(agent_api.get("/tickets", {"created_before": "2024-02-01T00:00:00Z"})) == [old.number]
    assert numbers(agent_api.get("/tickets", {"sort": "number"})) == [old.number, new.number]
    assert numbers(agent_api.get("/tickets", {"sort": "-created_at"})) == [new.number, old.number]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"assignee": "someone"},
        {"team": "x"},
        {"created_after": "2024-02-30"},
        {"created_after": "yesterday"},
        {"sort": "subject"},
        {"limit": "0"},
        {"limit": "101"},
    ],
)
def test_bad_filters_are_422_with_the_field(agent_api: ApiClient, params: dict[str, str]) -> None:
    error = assert_error(agent_api.get("/tickets", params), 422)
    assert set(error["details"]["fields"]) == set(params)


def test_cursor_pages_cover_everything_once(agent_api: ApiClient) -> None:
    created = {make_ticket(subject=f"T{i}").number for i in range(23)}
    for sort in ("-updated_at", "number", "-created_at"):
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": "5", "sort": sort, **({"cursor": cursor} if cursor else {})}
            body = agent_api.get("/tickets", params).json()
            seen += [item["number"] for item in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert pages == 5
        assert len(seen) == len(set(seen)) == 23
        assert set(seen) == created
    ascending = numbers(agent_api.get("/tickets", {"sort": "number", "limit": "100"}))
    assert ascending == sorted(created)


def test_list_costs_the_same_queries_for_30_tickets_as_for_3(
    agent_api: ApiClient, django_assert_max_num_queries: Any
) -> None:
    team = make_team()
    assignee = make_agent(Role.AGENT)

    def fill(count: int) -> None:
        for i in range(count):
            make_ticket(subject=f"Ticket {i}", assignee=assignee, team=team, tags=["a", f"t{i}"])

    fill(3)
    agent_api.get("/tickets")  # warm up: the token's last-used stamp is written once a minute
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(agent_api.get("/tickets", {"limit": "50"}).json()["items"]) == 3
    fill(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(agent_api.get("/tickets", {"limit": "50"}).json()["items"]) == 30


def test_create_for_a_new_requester_by_email_records_events(agent_api: ApiClient, agent: Any) -> None:
    team = make_team()
    response = agent_api.post(
        "/tickets",
        {
            "requester_email": "New.Person@Example.com",
            "requester_name": "New Person",
            "subject": "Cannot log in",
            "body_text": "Since this morning.",
            "priority": "high",
            "type": "incident",
            "assignee_id": agent.pk,
            "team_id": team.pk,
            "tags": ["Login", "web"],
            "attachments": [{"filename": "screen.png", "content_base64": base64.b64encode(PNG).decode()}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Cannot log in"
    assert body["requester"]["email"] == "new.person@example.com"
    assert body["requester"]["name"] == "New Person"
    assert (body["priority"], body["type"], body["status"], body["channel"]) == ("high", "incident", "open", "api")
    assert body["assignee"] == {"id": agent.pk, "name": str(agent)}
    assert body["team"] == {"id": team.pk, "name": team.name}
    assert body["tags"] == ["login", "web"]
    ticket = Ticket.objects.get(number=body["number"])
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "actor_agent"))
    assert events == [(EventKind.CREATED, agent.pk), (EventKind.MESSAGE_ADDED, agent.pk)]
    attachment = Attachment.objects.get(message__ticket=ticket)
    assert (attachment.filename, attachment.content_type, attachment.size) == ("screen.png", "image/png", len(PNG))


def test_create_for_an_existing_customer_by_public_id(agent_api: ApiClient) -> None:
    customer = make_customer("known@example.com")
    response = agent_api.post(
        "/tickets", {"requester": customer.public_id, "subject": "Hi", "body_text": "x", "message_kind": "note"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["requester"]["public_id"] == customer.public_id
    assert Message.objects.get(ticket__number=response.json()["number"]).kind == MessageKind.NOTE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x"}, "requester"),
        ({"requester": "nobody", "subject": "x"}, "requester"),
        ({"requester_email": "not-an-email", "subject": "x"}, None),
        ({"requester_email": "a@example.com", "assignee_id": 999999}, "assignee_id"),
        ({"requester_email": "a@example.com", "team_id": 999999}, "team_id"),
        ({"requester_email": "a@example.com", "priority": "asap"}, "priority"),
        ({"requester_email": "a@example.com", "custom_fields": {"nope": 1}}, "nope"),
        (
            {"requester_email": "a@example.com", "attachments": [{"filename": "a.png", "content_base64": "@@@"}]},
            "attachments.0.content_base64",
        ),
        (
            {
                "requester_email": "a@example.com",
                "attachments": [{"filename": "x.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}],
            },
            None,
        ),
    ],
)
def test_create_refuses_bad_input_with_422(agent_api: ApiClient, body: dict[str, Any], field: str | None) -> None:
    before = Ticket.objects.count()
    error = assert_error(agent_api.post("/tickets", {"body_text": "text", **body}), 422)
    if field:
        assert field in error["details"]["fields"], error
    assert Ticket.objects.count() == before


def test_patch_changes_fields_and_records_one_event_per_change(agent_api: ApiClient, agent: Any) -> None:
    team = make_team()
    ticket = make_ticket(tags=["old"])
    response = agent_api.patch(
        f"/tickets/{ticket.number}",
        {
            "subject": "Better subject",
            "priority": "urgent",
            "type": "problem",
            "assignee_id": agent.pk,
            "team_id": team.pk,
            "add_tags": ["new"],
            "remove_tags": ["old"],
            "language": "ka",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "Better subject"
    assert (body["priority"], body["type"], body["language"], body["status"]) == ("urgent", "problem", "ka", "open")
    assert body["tags"] == ["new"]
    kinds = set(TicketEvent.objects.filter(ticket=ticket, actor_agent=agent).values_list("kind", flat=True).distinct())
    assert kinds == {
        EventKind.SUBJECT_CHANGED,
        EventKind.PRIORITY_CHANGED,
        EventKind.TYPE_CHANGED,
        EventKind.ASSIGNEE_CHANGED,
        EventKind.TEAM_CHANGED,
        EventKind.TAGS_CHANGED,
        EventKind.LANGUAGE_CHANGED,
        EventKind.STATUS_CHANGED,
    }

    unassigned = agent_api.patch(f"/tickets/{ticket.number}", {"assignee_id": None, "team_id": None})
    assert (unassigned.json()["assignee"], unassigned.json()["team"]) == (None, None)

    count = TicketEvent.objects.filter(ticket=ticket).count()
    same = agent_api.patch(f"/tickets/{ticket.number}", {"priority": "urgent"})
    assert same.status_code == 200
    assert TicketEvent.objects.filter(ticket=ticket).count() == count  # nothing changed, nothing recorded

    history = agent_api.get(f"/tickets/{ticket.number}/events", {"limit": "100"}).json()["items"]
    assert [e["kind"] for e in history][:2] == [EventKind.CREATED, EventKind.MESSAGE_ADDED]
    change = next(e for e in history if e["kind"] == EventKind.PRIORITY_CHANGED)
    assert (change["before"], change["after"]) == ("normal", "urgent")
    assert change["actor"] == {"type": "agent", "id": agent.pk, "public_id": None, "name": str(agent)}


def test_patch_custom_fields_and_replace_tags(agent_api: ApiClient) -> None:
    workspace_actions.define_custom_field(
        actor=Actor.of_agent(make_agent(Role.ADMIN)), key="plan", label="Plan", field_type="choice", choices=["a", "b"]
    )
    ticket = make_ticket(tags=["x", "y"])
    body = agent_api.patch(f"/tickets/{ticket.number}", {"custom_fields": {"plan": "b"}, "tags": ["z"]}).json()
    assert body["custom_fields"] == {"plan": "b"}
    assert body["tags"] == ["z"]
    error = assert_error(agent_api.patch(f"/tickets/{ticket.number}", {"custom_fields": {"plan": "c"}}), 422)
    assert "plan" in error["details"]["fields"]


def test_patch_refuses_empty_subject_and_unknown_ticket(agent_api: ApiClient) -> None:
    ticket = make_ticket()
    assert (
        "subject"
        in assert_error(agent_api.patch(f"/tickets/{ticket.number}", {"subject": ""}), 422)["details"]["fields"]
    )
    assert_error(agent_api.patch("/tickets/999999", {"priority": "low"}), 404, "not_found")
    assert_error(agent_api.get("/tickets/999999"), 404, "not_found")


def test_merge_and_writes_to_the_merged_ticket_conflict(agent_api: ApiClient) -> None:
    customer = make_customer()
    source = make_ticket(customer, subject="Dup")
    target = make_ticket(customer, subject="Main")
    response = agent_api.post(f"/tickets/{source.number}/merge", {"into": target.number})
    assert response.status_code == 200, response.content
    assert response.json()["number"] == target.number
    merged = agent_api.get(f"/tickets/{source.number}").json()
    assert (merged["status"], merged["merged_into"]) == ("closed", target.number)
    assert TicketEvent.objects.filter(ticket=source, kind=EventKind.MERGED).exists()
    assert TicketEvent.objects.filter(ticket=target, kind=EventKind.MERGED_FROM).exists()
    assert_error(agent_api.patch(f"/tickets/{source.number}", {"priority": "high"}), 409, "ticket_merged")
    assert_error(agent_api.post(f"/tickets/{target.number}/merge", {"into": target.number}), 422, "merge_self")
    assert_error(agent_api.post(f"/tickets/{target.number}/merge", {"into": 999999}), 422, "invalid_ticket")


def test_links(agent_api: ApiClient) -> None:
    one, two = make_ticket(subject="One"), make_ticket(subject="Two")
    created = agent_api.post(f"/tickets/{one.number}/links", {"ticket": two.number, "kind": "duplicate"})
    assert created.status_code == 201, created.content
    assert created.json() == [
        {"ticket": two.number, "subject": "Two", "status": "new", "kind": "duplicate", "direction": "outgoing"}
    ]
    incoming = agent_api.get(f"/tickets/{two.number}/links").json()
    assert incoming[0]["ticket"] == one.number and incoming[0]["direction"] == "incoming"
    assert TicketEvent.objects.filter(ticket=two, kind=EventKind.LINKED).exists()
    assert agent_api.delete(f"/tickets/{two.number}/links/{one.number}").status_code == 204
    assert agent_api.get(f"/tickets/{one.number}/links").json() == []
    assert_error(agent_api.delete(f"/tickets/{two.number}/links/{one.number}"), 404)
    assert_error(agent_api.post(f"/tickets/{one.number}/links", {"ticket": one.number}), 422, "link_self")


def test_thread_reply_note_and_attachment(agent_api: ApiClient, agent: Any) -> None:
    ticket = make_ticket(body_text="First message")
    reply = agent_api.post(
        f"/tickets/{ticket.number}/messages",
        {
            "kind": "reply",
            "body_html": "<p>Hello <script>alert(1)</script><b>there</b></p>",
            "new_status": "pending",
            "attachments": [{"filename": "pixel.png", "content_base64": base64.b64encode(PNG).decode()}],
        },
    )
    assert reply.status_code == 201, reply.content
    body = reply.json()
    assert body["kind"] == "reply" and body["author"]["id"] == agent.pk
    assert "<script>" not in body["body_html"] and "<b>there</b>" in body["body_html"]
    assert body["attachments"][0]["content_type"] == "image/png"
    assert (
        agent_api.post(f"/tickets/{ticket.number}/messages", {"kind": "note", "body_text": "internal"}).status_code
        == 201
    )
    thread = agent_api.get(f"/tickets/{ticket.number}/messages").json()
    assert [m["kind"] for m in thread["items"]] == ["inbound", "reply", "note"]
    assert thread["items"][0]["author"]["type"] == "customer"
    assert agent_api.get(f"/tickets/{ticket.number}").json()["status"] == "pending"

    first = agent_api.get(f"/tickets/{ticket.number}/messages", {"limit": "2"}).json()
    rest = agent_api.get(f"/tickets/{ticket.number}/messages", {"limit": "2", "cursor": first["next_cursor"]}).json()
    assert [m["kind"] for m in first["items"] + rest["items"]] == ["inbound", "reply", "note"]
    assert rest["next_cursor"] is None

    assert_error(agent_api.post(f"/tickets/{ticket.number}/messages", {"kind": "reply"}), 422, "message_empty")
    assert_error(agent_api.post(f"/tickets/{ticket.number}/messages", {"kind": "inbound", "body_text": "x"}), 422)


def test_reply_to_a_closed_ticket_conflicts(agent_api: ApiClient) -> None:
    ticket = make_ticket()
    ticket_actions.update_ticket(actor=Actor.system(), ticket=ticket, status="closed")
    response = agent_api.post(f"/tickets/{ticket.number}/messages", {"kind": "reply", "body_text": "late"})
    assert_error(response, 409, "ticket_closed")


def test_tags_and_custom_fields(agent_api: ApiClient, admin_api: ApiClient) -> None:
    created = agent_api.post("/tags", {"name": "VIP", "color": "#ff0000"})
    assert created.status_code == 201 and created.json() == {"name": "vip", "color": "#ff0000"}
    assert {"name": "vip", "color": "#ff0000"} in agent_api.get("/tags").json()
    assert "color" in assert_error(agent_api.post("/tags", {"name": "x", "color": "red"}), 422)["details"]["fields"]

    field = admin_api.post("/custom-fields", {"key": "plan", "label": "Plan", "field_type": "choice", "choices": ["a"]})
    assert field.status_code == 201, field.content
    assert_error(admin_api.post("/custom-fields", {"key": "plan", "label": "Again"}), 409, "key_taken")
    assert_error(admin_api.post("/custom-fields", {"key": "x", "label": "X", "field_type": "choice"}), 422)
    changed = admin_api.put("/custom-fields/plan", {"label": "Plan name", "field_type": "text", "required": True})
    assert changed.json()["label"] == "Plan name" and changed.json()["required"] is True
    assert_error(admin_api.put("/custom-fields/missing", {"label": "X"}), 404)
    assert [f["key"] for f in agent_api.get("/custom-fields").json()] == ["plan"]


def test_supervisor_token_works_like_an_agent() -> None:
    api = ApiClient(token_for(make_agent(Role.SUPERVISOR)))
    ticket = make_ticket()
    assert api.patch(f"/tickets/{ticket.number}", {"status": "open"}).json()["status"] == "open"
