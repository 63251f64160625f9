"""Agent WebSockets: live ticket changes on the desk, presence and typing on a ticket, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from helpline.accounts.middleware import TWO_FACTOR_PENDING
from helpline.accounts.models import User
from helpline.asgi import application
from helpline.core.actors import Actor
from helpline.tickets import actions
from helpline.web import presence
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


def headers_for(user: User | None, *, pending_2fa: bool = False) -> list[tuple[bytes, bytes]]:
    if user is None:
        return [ORIGIN]
    client = Client()
    client.force_login(user)
    if pending_2fa:
        session = client.session
        session[TWO_FACTOR_PENDING] = "/"
        session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), ORIGIN]


def try_connect(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[bool, Any]:
    async def run() -> tuple[bool, Any]:
        communicator = WebsocketCommunicator(application, path, headers=headers)
        result = await communicator.connect(timeout=20)
        await communicator.disconnect()
        return result

    return async_to_sync(run)()


async def open_socket(path: str, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=20)
    assert connected
    hello = await communicator.receive_json_from(timeout=2)
    assert hello["type"] == "hello"
    return communicator


async def next_of(communicator: WebsocketCommunicator, kind: str, timeout: float = 2) -> dict[str, Any]:
    """The next message of one type (presence updates and changes may interleave)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


def test_refuses_anonymous_inactive_half_signed_in_and_unknown_tickets():
    ticket = make_ticket()
    path = f"/ws/tickets/{ticket.public_id}/"
    assert try_connect("/ws/desk/", headers_for(None)) == (False, 4401)
    assert try_connect(path, headers_for(None)) == (False, 4401)
    assert try_connect("/ws/desk/", headers_for(make_agent(), pending_2fa=True)) == (False, 4401)
    agent = make_agent()
    headers = headers_for(agent)
    assert try_connect("/ws/tickets/no-such-ticket/", headers) == (False, 4404)
    assert try_connect(path, headers)[0] is True
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert try_connect(path, headers)[0] is False


def test_ticket_update_reaches_a_connected_desk_socket():
    agent, other = make_agent(), make_agent(display_name="Bob Smith")
    ticket = make_ticket()
    headers = headers_for(agent)

    async def run() -> list[dict[str, Any]]:
        desk = await open_socket("/ws/desk/", headers)
        await database_sync_to_async(actions.update_ticket)(
            actor=Actor.of_agent(other), ticket=ticket, priority="urgent"
        )
        received = [await next_of(desk, "ticket.changed")]
        await desk.disconnect()
        return received

    (message,) = async_to_sync(run)()
    assert message["ticket"] == ticket.public_id and message["number"] == ticket.number
    assert message["event"] == "priority_changed" and message["actor"] == "Bob Smith"
    assert message["actor_agent"] == other.pk


def test_presence_viewing_typing_and_leaving_between_two_agents():
    alice = make_agent(display_name="Alice")
    bob = make_agent(display_name="Bob")
    customer = make_customer()
    ticket = make_ticket(customer)
    path = f"/ws/tickets/{ticket.public_id}/"
    headers = {alice.pk: headers_for(alice), bob.pk: headers_for(bob)}

    async def run() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        a = await open_socket(path, headers[alice.pk])
        first = await next_of(a, "presence")
        seen["alone"] = first["viewers"]
        b = await open_socket(path, headers[bob.pk])
        seen["b_sees"] = (await next_of(b, "presence"))["viewers"]
        seen["a_sees"] = (await next_of(a, "presence"))["viewers"]

        await b.send_json_to({"type": "typing", "active": True})
        seen["a_sees_typing"] = (await next_of(a, "presence"))["viewers"]
        seen["stored"] = await database_sync_to_async(presence.viewers)(ticket.public_id)

        # while Bob types, Alice replies: Bob's page gets the change with who did it
        await database_sync_to_async(actions.add_reply)(actor=Actor.of_agent(alice), ticket=ticket, body_text="Done")
        seen["b_change"] = await next_of(b, "ticket.changed")

        await b.send_json_to({"type": "typing", "active": False})
        seen["a_sees_stop"] = (await next_of(a, "presence"))["viewers"]
        await b.disconnect()
        seen["a_after_leave"] = (await next_of(a, "presence"))["viewers"]
        await a.send_json_to({"type": "ping"})
        seen["pong"] = await next_of(a, "pong")
        await a.disconnect()
        seen["stored_after"] = await database_sync_to_async(presence.viewers)(ticket.public_id)
        return seen

    seen = async_to_sync(run)()
    assert seen["alone"] == []  # nobody else on the ticket
    assert seen["b_sees"] == [{"id": alice.pk, "name": "Alice", "typing": False}]
    assert seen["a_sees"] == [{"id": bob.pk, "name": "Bob", "typing": False}]
    assert seen["a_sees_typing"] == [{"id": bob.pk, "name": "Bob", "typing": True}]
    assert {v["name"] for v in seen["stored"]} == {"Alice", "Bob"}
    assert seen["b_change"]["event"] == "message_added" and seen["b_change"]["actor_agent"] == alice.pk
    assert seen["b_change"]["message"]
    assert seen["a_sees_stop"] == [{"id": bob.pk, "name": "Bob", "typing": False}]
    assert seen["a_after_leave"] == []
    assert seen["stored_after"] == []


def test_two_tabs_of_one_agent_count_once_and_do_not_show_to_themselves():
    alice = make_agent(display_name="Alice")
    ticket = make_ticket()
    path = f"/ws/tickets/{ticket.public_id}/"
    headers = headers_for(alice)

    async def run() -> tuple[list[Any], list[Any]]:
        tab1 = await open_socket(path, headers)
        await next_of(tab1, "presence")
        tab2 = await open_socket(path, headers)
        own_view = (await next_of(tab2, "presence"))["viewers"]
        stored = await database_sync_to_async(presence.viewers)(ticket.public_id)
        await tab1.disconnect()
        await tab2.disconnect()
        return own_view, stored

    own_view, stored = async_to_sync(run)()
    assert own_view == []
    assert [v["name"] for v in stored] == ["Alice"]
