from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from helpline.asgi import application
from helpline.core.actors import Actor
from helpline.tickets import actions
from tests.factories import make_agent, make_customer, make_ticket
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def session_headers(client: Client) -> list[tuple[bytes, bytes]]:
    """The headers a browser sends when opening the socket: its session cookie and our origin."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]


def connect(path: str, headers: list[tuple[bytes, bytes]]):
    async def run():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        result = await communicator.connect(timeout=20)
        await communicator.disconnect()
        return result

    return async_to_sync(run)()


def test_socket_refuses_a_customer_who_does_not_own_the_ticket():
    owner = make_customer()
    ticket = make_ticket(owner)
    stranger = sign_in(Client(), make_customer())
    connected, code = connect(f"/ws/portal/{ticket.public_id}/", session_headers(stranger))
    assert (connected, code) == (False, 4403)


def test_socket_refuses_without_a_portal_session():
    ticket = make_ticket()
    agent_browser = Client()
    agent_browser.force_login(make_agent())  # an agent session is not a portal session
    for headers in ([(b"origin", b"http://testserver")], session_headers(agent_browser)):
        connected, code = connect(f"/ws/portal/{ticket.public_id}/", headers)
        assert (connected, code) == (False, 4403)
    assert connect("/ws/portal/does-not-exist/", session_headers(sign_in(Client(), ticket.requester))) == (False, 4403)


def test_owner_receives_public_changes_but_not_notes():
    customer = make_customer()
    ticket = make_ticket(customer)
    agent = make_agent()
    browser = sign_in(Client(), customer)

    async def run():
        communicator = WebsocketCommunicator(
            application, f"/ws/portal/{ticket.public_id}/", headers=session_headers(browser)
        )
        connected, _ = await communicator.connect(timeout=20)
        assert connected
        await database_sync_to_async(actions.add_internal_note)(
            actor=Actor.of_agent(agent), ticket=ticket, body_text="private"
        )
        reply = await database_sync_to_async(actions.add_reply)(
            actor=Actor.of_agent(agent), ticket=ticket, body_text="public"
        )
        received = [await communicator.receive_json_from(timeout=2) for _ in range(2)]
        assert await communicator.receive_nothing(timeout=0.3)  # the note and the delivery status stay private
        await communicator.disconnect()
        return reply, received

    reply, received = async_to_sync(run)()
    assert [m["event"] for m in received] == ["message_added", "status_changed"]
    assert received[0] == {
        "type": "ticket.changed",
        "ticket": ticket.public_id,
        "event": "message_added",
        "event_id": received[0]["event_id"],
        "message": reply.public_id,
    }
    assert all(m["ticket"] == ticket.public_id for m in received)
