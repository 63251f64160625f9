"""Customers and organisations through the API."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.customers.models import Customer, CustomerNote
from helpline.tickets.models import EventKind, TicketEvent
from tests.api.conftest import ApiClient, assert_error
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_list_search_and_pages_without_duplicates(agent_api: ApiClient) -> None:
    for i in range(12):
        make_customer(f"person{i}@example.com", name=f"Person {i}")
    make_customer("nino@example.ge", name="ნინო")
    assert [c["name"] for c in agent_api.get("/customers", {"q": "ნინო"}).json()["items"]] == ["ნინო"]
    assert [c["email"] for c in agent_api.get("/customers", {"q": "PERSON3@"}).json()["items"]] == [
        "person3@example.com"
    ]
    seen: list[str] = []
    cursor = None
    while True:
        body = agent_api.get("/customers", {"limit": "5", **({"cursor": cursor} if cursor else {})}).json()
        seen += [c["public_id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 13


def test_create_get_patch(agent_api: ApiClient) -> None:
    org = agent_api.post("/organizations", {"name": "Acme", "domain": "ACME.example"}).json()
    assert org["domain"] == "acme.example"
    created = agent_api.post(
        "/customers",
        {
            "name": "Tamar",
            "identities": [
                {"kind": "email", "value": "Tamar@Acme.example"},
                {"kind": "phone", "value": "+995 555 12 34"},
            ],
            "language": "ka",
            "preferred_channel": "email",
            "organizations": [org["public_id"]],
            "custom_attributes": {"plan": "gold"},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "tamar@acme.example"
    assert {(i["kind"], i["value"]) for i in body["identities"]} == {
        ("email", "tamar@acme.example"),
        ("phone", "+9955551234"),
    }
    assert body["organizations"] == [{"public_id": org["public_id"], "name": "Acme"}]
    assert agent_api.get(f"/customers/{body['public_id']}").json() == body

    patched = agent_api.patch(f"/customers/{body['public_id']}", {"name": "Tamar B.", "organizations": []}).json()
    assert (patched["name"], patched["organizations"], patched["language"]) == ("Tamar B.", [], "ka")
    assert_error(agent_api.patch(f"/customers/{body['public_id']}", {"language": "xx"}), 422)
    bad_zone = assert_error(agent_api.patch(f"/customers/{body['public_id']}", {"time_zone": "Mars/Base"}), 422)
    assert bad_zone["details"]["fields"] == {"time_zone": "Value error, unknown time zone"}
    assert agent_api.patch(f"/customers/{body['public_id']}", {"time_zone": "Asia/Tbilisi"}).status_code == 200
    assert_error(agent_api.post("/customers", {"organizations": ["missing"]}), 422, "invalid_organization")
    assert_error(agent_api.post("/customers", {"identities": [{"kind": "email", "value": "nope"}]}), 422)


def test_identities_add_and_remove(agent_api: ApiClient) -> None:
    customer = make_customer("one@example.com")
    added = agent_api.post(f"/customers/{customer.public_id}/identities", {"kind": "telegram", "value": "@one"})
    assert added.status_code == 201, added.content
    identity_id = added.json()["id"]
    other = make_customer("two@example.com")
    assert_error(
        agent_api.post(f"/customers/{other.public_id}/identities", {"kind": "telegram", "value": "@one"}),
        409,
        "identity_taken",
    )
    assert_error(agent_api.delete(f"/customers/{other.public_id}/identities/{identity_id}"), 404)
    assert agent_api.delete(f"/customers/{customer.public_id}/identities/{identity_id}").status_code == 204
    kinds = [i["kind"] for i in agent_api.get(f"/customers/{customer.public_id}").json()["identities"]]
    assert kinds == ["email"]


def test_merge_moves_tickets_and_records_events(admin_api: ApiClient, agent_api: ApiClient) -> None:
    source = make_customer("old@example.com", name="Old")
    target = make_customer("new@example.com", name="New")
    ticket = make_ticket(source)
    assert_error(agent_api.post(f"/customers/{source.public_id}/merge", {"into": target.public_id}), 403)
    response = admin_api.post(f"/customers/{source.public_id}/merge", {"into": target.public_id})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public_id"] == target.public_id
    assert {i["value"] for i in body["identities"]} == {"old@example.com", "new@example.com"}
    assert admin_api.get(f"/customers/{source.public_id}").json()["merged_into"] == target.public_id
    assert admin_api.get(f"/tickets/{ticket.number}").json()["requester"]["public_id"] == target.public_id
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REQUESTER_CHANGED).exists()
    listed = {c["public_id"] for c in admin_api.get("/customers").json()["items"]}
    assert source.public_id not in listed and target.public_id in listed
    assert_error(admin_api.post(f"/customers/{target.public_id}/merge", {"into": target.public_id}), 422)
    assert_error(admin_api.post(f"/customers/{target.public_id}/merge", {"into": "nobody"}), 422)


def test_notes(agent_api: ApiClient, agent: Any) -> None:
    customer = make_customer()
    added = agent_api.post(f"/customers/{customer.public_id}/notes", {"body": "Prefers phone calls."})
    assert added.status_code == 201 and added.json()["author"] == str(agent)
    assert [n["body"] for n in agent_api.get(f"/customers/{customer.public_id}/notes").json()] == [
        "Prefers phone calls."
    ]
    assert CustomerNote.objects.filter(customer=customer).count() == 1
    assert_error(agent_api.post(f"/customers/{customer.public_id}/notes", {"body": "   "}), 422, "note_empty")


def test_organizations(agent_api: ApiClient) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        assert agent_api.post("/organizations", {"name": name}).status_code == 201
    assert_error(agent_api.post("/organizations", {"name": "Alpha"}), 409, "name_taken")
    page = agent_api.get("/organizations", {"limit": "2"}).json()
    rest = agent_api.get("/organizations", {"limit": "2", "cursor": page["next_cursor"]}).json()
    assert sorted(o["name"] for o in page["items"] + rest["items"]) == ["Alpha", "Beta", "Gamma"]
    beta = agent_api.get("/organizations", {"q": "bet"}).json()["items"][0]
    changed = agent_api.patch(f"/organizations/{beta['public_id']}", {"notes": "Key account"}).json()
    assert changed["notes"] == "Key account" and changed["name"] == "Beta"
    assert_error(agent_api.patch(f"/organizations/{beta['public_id']}", {"name": "Alpha"}), 409)
    assert_error(agent_api.get("/organizations/missing"), 404)


def test_customer_list_query_count_is_constant(agent_api: ApiClient, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        make_customer(f"c{i}@example.com")
    agent_api.get("/customers")
    with CaptureQueriesContext(connection) as small:
        agent_api.get("/customers")
    for i in range(3, 30):
        make_customer(f"c{i}@example.com")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(agent_api.get("/customers", {"limit": "50"}).json()["items"]) == 30
    assert Customer.objects.count() == 30
