"""The visitor's WebSocket: acknowledgements, resend after a reconnect without duplicates, agent
replies live, typing both ways, read receipts, refusals."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from helpline.asgi import application
from helpline.chat import actions as chat_actions
from helpline.chat.models import Conversation
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.customers.models import Channel
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from tests.factories import make_agent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_worker_connections() -> Iterator[None]:
    """Consumers query from worker threads that end with each test's event loop; their connections
    are closed when collected, so collect them (PostgreSQL refuses to drop a database in use)."""
    yield
    gc.collect()


async def visitor_socket(token: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    # A foreign origin on purpose: the widget runs on customers' websites.
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/?token={token}", headers=[(b"origin", b"https://shop.example")]
    )
    connected, _code = await communicator.connect(timeout=20)
    assert connected
    welcome = await communicator.receive_json_from(timeout=15)
    assert welcome["type"] == "welcome"
    return communicator, welcome


async def next_of(communicator: WebsocketCommunicator, kind: str, timeout: float = 15) -> dict[str, Any]:
    while True:
        data = await communicator.receive_json_from(timeout=timeout)
        if data.get("type") == kind:
            return data


def agent_headers(agent: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(agent)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]


def test_bad_tokens_are_refused() -> None:
    async def run(path: str) -> tuple[bool, Any]:
        communicator = WebsocketCommunicator(application, path)
        result = await communicator.connect(timeout=20)
        await communicator.disconnect()
        return result

    assert async_to_sync(run)("/ws/chat/") == (False, 4401)
    assert async_to_sync(run)("/ws/chat/?token=" + new_visitor_token() + "x")[0] is False


def test_messages_are_acknowledged_and_a_resend_after_reconnect_is_stored_once() -> None:
    token = new_visitor_token()

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        first, welcome = await visitor_socket(token)
        assert welcome["messages"] == [] and welcome["ticket"] is None
        await first.send_json_to({"type": "message", "cid": "c1", "body": "Hello, my order is late"})
        ack1 = await next_of(first, "ack")
        await first.send_json_to({"type": "message", "cid": "c2", "body": "Order 5521"})
        ack2 = await next_of(first, "ack")
        await first.disconnect()  # the network drops before the widget saw... nothing: it resends both
        second, welcome2 = await visitor_socket(token)
        await second.send_json_to({"type": "message", "cid": "c1", "body": "Hello, my order is late"})
        again1 = await next_of(second, "ack")
        await second.send_json_to({"type": "message", "cid": "c2", "body": "Order 5521"})
        again2 = await next_of(second, "ack")
        await second.send_json_to({"type": "message", "cid": "c3", "body": "Thanks"})
        ack3 = await next_of(second, "ack")
        await second.disconnect()
        third, welcome3 = await visitor_socket(token)
        await third.disconnect()
        assert (again1["message"]["id"], again2["message"]["id"]) == (ack1["message"]["id"], ack2["message"]["id"])
        assert ack1["cid"] == "c1" and ack3["message"]["cid"] == "c3"
        assert ack1["queue"] == 1  # nobody online: the visitor is first in the queue
        return welcome2["messages"], welcome3["messages"]

    after_drop, final = async_to_sync(run)()
    assert [m["body"] for m in after_drop] == ["Hello, my order is late", "Order 5521"]
    assert [m["cid"] for m in final] == ["c1", "c2", "c3"]
    assert [m["id"] for m in final] == sorted(m["id"] for m in final)
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.CHAT
    assert ticket.messages.count() == 3
    conversation = Conversation.objects.get(visitor_id=visitor_from_token(token))
    assert conversation.ticket_id == ticket.pk
    assert ticket.requester.identities.get().kind == "chat"


def test_agent_reply_reaches_the_visitor_live_and_is_marked_delivered_when_shown() -> None:
    token = new_visitor_token()
    agent = make_agent()

    async def run() -> tuple[dict[str, Any], int]:
        visitor, _welcome = await visitor_socket(token)
        await visitor.send_json_to({"type": "message", "cid": "a", "body": "Is anyone there?"})
        await next_of(visitor, "ack")
        ticket = await database_sync_to_async(Ticket.objects.get)()
        reply = await database_sync_to_async(ticket_actions.add_reply)(
            actor=Actor.of_agent(agent), ticket=ticket, body_text="Yes, how can I help?"
        )
        await database_sync_to_async(ticket_actions.add_internal_note)(
            actor=Actor.of_agent(agent), ticket=ticket, body_text="secret note"
        )
        pushed = await next_of(visitor, "message")
        await visitor.send_json_to({"type": "read", "up_to": pushed["message"]["id"]})
        await visitor.send_json_to({"type": "ping"})
        await next_of(visitor, "pong")
        assert await visitor.receive_nothing(timeout=0.3)  # the internal note never reaches the visitor
        await visitor.disconnect()
        return pushed, reply.pk

    pushed, reply_id = async_to_sync(run)()
    assert pushed["message"]["body"] == "Yes, how can I help?"
    assert pushed["message"]["from"] == "agent" and pushed["message"]["author"] == str(agent)
    reply = Message.objects.get(pk=reply_id)
    assert reply.delivery_status == DeliveryStatus.DELIVERED
    assert Message.objects.filter(kind=MessageKind.REPLY).count() == 1


def test_replies_written_while_the_visitor_is_away_arrive_once_on_return() -> None:
    token = new_visitor_token()
    agent = make_agent()
    visitor_id = visitor_from_token(token)
    assert visitor_id
    chat_actions.post_visitor_message(visitor_id=visitor_id, client_id="x1", body="Hi")
    ticket = Ticket.objects.get()
    ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="First answer")
    ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Second answer")
    # The visitor gave no email, so the replies wait for them instead of being mailed.
    assert set(Message.objects.filter(kind=MessageKind.REPLY).values_list("delivery_status", flat=True)) == {
        DeliveryStatus.QUEUED
    }

    async def run() -> list[dict[str, Any]]:
        visitor, welcome = await visitor_socket(token)
        await visitor.disconnect()
        return welcome["messages"]

    messages = async_to_sync(run)()
    assert [(m["from"], m["body"]) for m in messages] == [
        ("visitor", "Hi"),
        ("agent", "First answer"),
        ("agent", "Second answer"),
    ]


def test_typing_goes_both_ways_and_an_agent_viewing_means_seen() -> None:
    token = new_visitor_token()
    agent = make_agent()
    visitor_id = visitor_from_token(token)
    assert visitor_id
    chat_actions.post_visitor_message(visitor_id=visitor_id, client_id="t1", body="Hello")
    ticket = Ticket.objects.get()
    headers = agent_headers(agent)

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        visitor, _welcome = await visitor_socket(token)
        desk = WebsocketCommunicator(application, f"/ws/tickets/{ticket.public_id}/", headers=headers)
        connected, _code = await desk.connect(timeout=20)
        assert connected
        seen = await next_of(visitor, "seen")
        await visitor.send_json_to({"type": "typing", "active": True})
        while True:
            presence = await next_of(desk, "presence")
            if any(v["id"] == "visitor" and v["typing"] for v in presence["viewers"]):
                break
        await desk.send_json_to({"type": "typing", "active": True})
        while True:
            typing = await next_of(visitor, "typing")
            if typing["active"]:
                break
        await desk.disconnect()
        await visitor.disconnect()
        return seen, presence, typing

    seen, presence, typing = async_to_sync(run)()
    assert seen == {"type": "seen"}
    assert typing["name"] == str(agent)
