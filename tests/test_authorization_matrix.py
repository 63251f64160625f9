"""Authorization matrix: every role and the portal customer against every ticket and customer
page and endpoint. Each cell states what must happen; writes are checked by their effect too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from helpline.accounts import actions as account_actions
from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.tickets import actions as ticket_actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import Message, MessageKind, Ticket
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db

AGENTS = ("admin", "supervisor", "agent", "light")
CUSTOMERS = ("owner", "stranger")
EVERYONE = ("anonymous", *AGENTS, *CUSTOMERS)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Desk:
    ticket: Ticket
    other_ticket: Ticket
    note_file: str
    reply_file: str
    clients: dict[str, Client]
    tokens: dict[str, str]


@pytest.fixture
def desk() -> Desk:
    roles = {
        "admin": make_agent(Role.ADMIN),
        "supervisor": make_agent(Role.SUPERVISOR),
        "agent": make_agent(Role.AGENT),
        "light": make_agent(Role.LIGHT_AGENT),
    }
    owner = make_customer(name="Owner")
    stranger = make_customer(name="Stranger")
    org = customer_actions.create_organization(actor=Actor.system(), name="Org", domain="org.example")
    customer_actions.update_customer(actor=Actor.system(), customer=owner, organizations=[org])
    ticket = make_ticket(owner, subject="Owner's ticket")
    other_ticket = make_ticket(stranger, subject="Stranger's ticket")
    agent = Actor.of_agent(roles["agent"])
    note = ticket_actions.add_internal_note(
        actor=agent, ticket=ticket, body_text="secret", attachments=[IncomingFile("internal.pdf", PDF)]
    )
    reply = ticket_actions.add_reply(
        actor=agent, ticket=ticket, body_text="public", attachments=[IncomingFile("public.pdf", PDF)]
    )
    clients: dict[str, Client] = {"anonymous": Client()}
    tokens: dict[str, str] = {}
    for name, user in roles.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
        tokens[name] = account_actions.create_api_token(actor=user, name="matrix")[1]
    for name, customer in (("owner", owner), ("stranger", stranger)):
        client = Client()
        session = client.session
        session["portal_customer_id"] = customer.pk
        session.save()
        clients[name] = client
    return Desk(
        ticket=ticket,
        other_ticket=other_ticket,
        note_file=note.attachments.get().public_id,
        reply_file=reply.attachments.get().public_id,
        clients=clients,
        tokens=tokens,
    )


def _agent_page_paths(d: Desk) -> list[str]:
    t = d.ticket
    return [
        "/tickets/",
        "/tickets/?view=all",
        f"/tickets/{t.number}/",
        "/customers/",
        f"/customers/{t.requester.public_id}/",
        f"/organizations/{t.requester.organizations.get().public_id}/",
        "/search/?q=ticket",
        f"/attachments/{d.note_file}/",
        f"/attachments/{d.reply_file}/",
    ]


@pytest.mark.parametrize("role", EVERYONE)
def test_agent_pages(desk: Desk, role: str) -> None:
    for path in _agent_page_paths(desk):
        response = desk.clients[role].get(path)
        if role in AGENTS:
            assert response.status_code == 200, (role, path, response.status_code)
        else:
            # Anonymous visitors and portal customers are not agents: sent to the agent sign-in.
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (role, path)


@pytest.mark.parametrize("role", EVERYONE)
def test_portal_pages(desk: Desk, role: str) -> None:
    own = desk.clients[role].get(f"/portal/t/{desk.ticket.public_id}/")
    public_file = desk.clients[role].get(f"/portal/files/{desk.reply_file}/")
    note_file = desk.clients[role].get(f"/portal/files/{desk.note_file}/")
    if role == "owner":
        assert own.status_code == 200
        assert "public" in own.content.decode() and "secret" not in own.content.decode()
        assert public_file.status_code == 200
        assert note_file.status_code == 404
    elif role == "stranger":
        assert own.status_code == 404 and public_file.status_code == 404 and note_file.status_code == 404
    else:
        # No portal session (agents included: an agent login is not a customer identity).
        assert own.status_code in (302, 404)
        if own.status_code == 302:
            assert "/portal/login/" in own["Location"]
        assert public_file.status_code in (302, 404) and note_file.status_code in (302, 404)
    listing = desk.clients[role].get("/portal/")
    if role in CUSTOMERS:
        body = listing.content.decode()
        assert listing.status_code == 200
        assert ("Owner&#x27;s ticket" in body or "Owner's ticket" in body) == (role == "owner")
        assert ("Stranger&#x27;s ticket" in body or "Stranger's ticket" in body) == (role == "stranger")


def _count(ticket: Ticket, kind: str) -> int:
    return Message.objects.filter(ticket=ticket, kind=kind).count()


@pytest.mark.parametrize("role", EVERYONE)
def test_agent_page_writes(desk: Desk, role: str) -> None:
    t = desk.ticket
    client = desk.clients[role]
    replies, notes = _count(t, MessageKind.REPLY), _count(t, MessageKind.NOTE)
    client.post(f"/tickets/{t.number}/reply/", {"kind": "reply", "body": f"reply by {role}"})
    client.post(f"/tickets/{t.number}/reply/", {"kind": "note", "body": f"note by {role}"})
    may_reply = role in ("admin", "supervisor", "agent")
    assert _count(t, MessageKind.REPLY) == replies + (1 if may_reply else 0), role
    assert _count(t, MessageKind.NOTE) == notes + (1 if role in AGENTS else 0), role

    before = Ticket.objects.get(pk=t.pk).priority
    client.post(
        f"/tickets/{t.number}/properties/",
        {"status": "open", "priority": "urgent", "ticket_type": "", "assignee": "", "team": "", "tags": ""},
    )
    after = Ticket.objects.get(pk=t.pk).priority
    assert (after == "urgent") == may_reply and (after == before) == (not may_reply), role

    # Strangers' tickets are never writable through the portal.
    other = desk.other_ticket
    count = Message.objects.filter(ticket=other).count()
    client.post(f"/portal/t/{other.public_id}/reply/", {"message": "hijack"})
    assert Message.objects.filter(ticket=other).count() == count


@pytest.mark.parametrize("role", EVERYONE)
def test_customer_merge_page(desk: Desk, role: str) -> None:
    target = desk.ticket.requester
    source = make_customer(email=f"dupe-{role}@example.com")
    desk.clients[role].post(f"/customers/{target.public_id}/merge/", {"other": source.email})
    source.refresh_from_db()
    assert (source.merged_into_id == target.pk) == (role in ("admin", "supervisor")), role


def _api(desk: Desk, role: str, method: str, path: str, body: Any = None) -> int:
    client = desk.clients["anonymous"] if role in AGENTS or role == "anonymous" else desk.clients[role]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {desk.tokens[role]}"} if role in AGENTS else {}
    kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(path, **kwargs).status_code


@pytest.mark.parametrize("role", EVERYONE)
def test_api(desk: Desk, role: str) -> None:
    t = desk.ticket
    customer = t.requester
    reads = [
        "/api/tickets",
        f"/api/tickets/{t.number}",
        f"/api/tickets/{t.number}/messages",
        f"/api/tickets/{t.number}/events",
        "/api/customers",
        f"/api/customers/{customer.public_id}",
        f"/api/customers/{customer.public_id}/notes",
        "/api/organizations",
        "/api/agents",
        "/api/teams",
        "/api/tags",
        "/api/custom-fields",
    ]
    for path in reads:
        status = _api(desk, role, "get", path)
        assert status == (200 if role in AGENTS else 401), (role, path, status)

    full = role in ("admin", "supervisor", "agent")
    expected_write = 200 if full else (403 if role == "light" else 401)
    assert _api(desk, role, "patch", f"/api/tickets/{t.number}", {"priority": "high"}) == expected_write
    note = _api(desk, role, "post", f"/api/tickets/{t.number}/messages", {"kind": "note", "body_text": "n"})
    assert note in ((200, 201) if role in AGENTS else (401,)), (role, note)
    reply = _api(desk, role, "post", f"/api/tickets/{t.number}/messages", {"kind": "reply", "body_text": "r"})
    assert reply in ((200, 201) if full else (403,) if role == "light" else (401,)), (role, reply)
    patch = _api(desk, role, "patch", f"/api/customers/{customer.public_id}", {"name": "Renamed"})
    assert patch == expected_write, (role, patch)

    source = make_customer(email=f"api-dupe-{role}@example.com")
    merge = _api(desk, role, "post", f"/api/customers/{source.public_id}/merge", {"into": customer.public_id})
    allowed_merge = role in ("admin", "supervisor")
    assert (merge == 200) == allowed_merge, (role, merge)
    assert merge in ((200,) if allowed_merge else (403,) if role in AGENTS else (401,)), (role, merge)

    created = _api(desk, role, "post", "/api/agents", {"username": f"new-{role}", "role": "agent"})
    assert created in ((200, 201) if role == "admin" else (403,) if role in AGENTS else (401,)), (role, created)
