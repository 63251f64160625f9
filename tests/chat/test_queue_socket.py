"""The waiting visitor's view over the real socket: their place in the queue moves as agents take
chats (routing hands waiting chats to an agent who comes online), a transfer is announced, and the
page the visitor is on reaches the conversation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpline.asgi import application
from helpline.chat import actions as chat_actions
from helpline.chat.assignment import transfer_chat
from helpline.chat.models import Availability, Conversation
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.tickets.models import Ticket
from tests.factories import make_agent, make_team

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_worker_connections() -> Iterator[None]:
    yield
    gc.collect()


async def connect(token: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/?token={token}", headers=[(b"origin", b"https://shop.example")]
    )
    connected, _code = await communicator.connect(timeout=20)
    assert connected
    assert (await communicator.receive_json_from(timeout=15))["type"] == "welcome"
    return communicator


async def next_of(communicator: WebsocketCommunicator, kind: str, timeout: float = 15) -> dict[str, Any]:
    while True:
        data = await communicator.receive_json_from(timeout=timeout)
        if data.get("type") == kind:
            return data


async def say(communicator: WebsocketCommunicator, cid: str, body: str) -> dict[str, Any]:
    await communicator.send_json_to({"type": "message", "cid": cid, "body": body})
    return await next_of(communicator, "ack")


def test_queue_position_moves_as_agents_take_chats_and_a_transfer_is_announced() -> None:
    agent = make_agent(display_name="Nino")
    billing = make_team("Billing")
    first_token, second_token = new_visitor_token(), new_visitor_token()

    async def run() -> dict[str, Any]:
        first, second = await connect(first_token), await connect(second_token)
        seen: dict[str, Any] = {}
        seen["first_ack"] = (await say(first, "a", "Where is my parcel?"))["queue"]
        seen["second_ack"] = (await say(second, "b", "I need an invoice"))["queue"]
        # the agent comes online with room for one chat: the oldest waiting chat goes to them
        await database_sync_to_async(chat_actions.set_chat_status)(
            actor=Actor.of_agent(agent), status=Availability.ONLINE, capacity=1
        )
        seen["first_moved"] = (await next_of(first, "queue"))["position"]
        seen["second_moved"] = (await next_of(second, "queue"))["position"]
        # the agent hands the chat to a team where nobody is online: it waits in the queue again
        ticket = await database_sync_to_async(Ticket.objects.get)(assignee=agent)
        await database_sync_to_async(transfer_chat)(actor=Actor.of_agent(agent), ticket=ticket, team=billing)
        while "notice" not in seen or "first_back" not in seen:
            data = await first.receive_json_from(timeout=15)
            if data["type"] == "notice":
                seen["notice"] = data["text"]
            elif data["type"] == "queue":
                seen["first_back"] = data["position"]
        # the other chat moves behind it, then the agent, with room again, takes it
        seen["second_moves"] = [(await next_of(second, "queue"))["position"]]
        while seen["second_moves"][-1] != 0:
            seen["second_moves"].append((await next_of(second, "queue"))["position"])
        await first.disconnect()
        await second.disconnect()
        return seen

    seen = async_to_sync(run)()
    assert (seen["first_ack"], seen["second_ack"]) == (1, 2)
    assert (seen["first_moved"], seen["second_moved"]) == (0, 1)
    assert "Billing" in seen["notice"]
    assert seen["first_back"] == 1 and seen["second_moves"] == [2, 0]


def test_the_page_the_visitor_is_on_reaches_the_conversation() -> None:
    token = new_visitor_token()
    visitor = visitor_from_token(token)

    async def run() -> None:
        socket = await connect(token)
        await say(socket, "a", "Hello")
        for url, title in (("https://shop.example/", "Shop"), ("https://shop.example/returns#form", "Returns")):
            await socket.send_json_to(
                {"type": "page", "url": url, "title": title, "languages": "am-ET,am,en", "language": "am"}
            )
        await socket.send_json_to({"type": "ping"})
        await next_of(socket, "pong")
        await socket.disconnect()

    async_to_sync(run)()
    conversation = Conversation.objects.get(visitor_id=visitor)
    assert (conversation.page_url, conversation.page_title) == ("https://shop.example/returns#form", "Returns")
    assert conversation.browser_language == "am-ET,am,en"
    assert [p["title"] for p in conversation.pages] == ["Shop", "Returns"]


def test_a_vip_customer_is_counted_from_their_real_place_and_others_move_back() -> None:
    """Two visitors wait; a VIP customer (tier gold in a team's routing) starts a chat after them:
    the VIP is told 1, the others move back one place; when an agent takes the VIP chat they move
    up again."""
    from helpline.chat import selectors
    from helpline.workflow import routing_actions
    from tests.factories import make_customer

    routing_actions.save_team_routing(
        actor=Actor.system(), team=make_team("Sales"), strategy="manual", vip_tiers="gold"
    )
    make_customer(email="tamar@example.com", custom_attributes={"tier": "gold"})
    agent = make_agent(display_name="Dawit")
    first_token, second_token, vip_token = new_visitor_token(), new_visitor_token(), new_visitor_token()
    vip_visitor = visitor_from_token(vip_token)
    assert vip_visitor
    chat_actions.identify_visitor(visitor_id=vip_visitor, email="tamar@example.com")

    async def run() -> dict[str, Any]:
        first, second, vip = await connect(first_token), await connect(second_token), await connect(vip_token)
        seen: dict[str, Any] = {}
        seen["acks"] = [(await say(first, "a", "Hello"))["queue"], (await say(second, "b", "Hi"))["queue"]]
        seen["vip_ack"] = (await say(vip, "c", "Urgent: my order"))["queue"]
        seen["moved_back"] = [(await next_of(first, "queue"))["position"], (await next_of(second, "queue"))["position"]]
        vip_ticket = await database_sync_to_async(lambda: Conversation.objects.get(visitor_id=vip_visitor).ticket)()
        seen["vip_position"] = await database_sync_to_async(selectors.queue_position)(vip_ticket)
        await database_sync_to_async(chat_actions.set_chat_status)(
            actor=Actor.of_agent(agent), status=Availability.ONLINE, capacity=1
        )
        seen["vip_taken"] = (await next_of(vip, "queue"))["position"]
        seen["moved_up"] = [(await next_of(first, "queue"))["position"], (await next_of(second, "queue"))["position"]]
        seen["taken_by"] = await database_sync_to_async(lambda: Ticket.objects.get(assignee=agent).pk)()
        for communicator in (first, second, vip):
            await communicator.disconnect()
        seen["vip_pk"] = vip_ticket.pk
        return seen

    seen = async_to_sync(run)()
    assert seen["acks"] == [1, 2]
    assert seen["vip_ack"] == 1 and seen["vip_position"] == 1
    assert seen["moved_back"] == [2, 3]
    assert seen["vip_taken"] == 0 and seen["taken_by"] == seen["vip_pk"]
    assert seen["moved_up"] == [1, 2]


def test_tagging_a_waiting_chat_vip_moves_it_ahead() -> None:
    """An agent tags the second waiting chat "vip": it goes first, the other moves back; untagged,
    they swap back."""
    from helpline.tickets import actions as ticket_actions

    lead = make_agent(display_name="Lead")
    first_token, second_token = new_visitor_token(), new_visitor_token()
    second_visitor = visitor_from_token(second_token)

    def tag(add: list[str], remove: list[str]) -> None:
        ticket = Conversation.objects.get(visitor_id=second_visitor).ticket
        assert ticket is not None
        ticket_actions.update_ticket(actor=Actor.of_agent(lead), ticket=ticket, add_tags=add, remove_tags=remove)

    async def run() -> dict[str, Any]:
        first, second = await connect(first_token), await connect(second_token)
        seen: dict[str, Any] = {
            "acks": [(await say(first, "a", "Hello"))["queue"], (await say(second, "b", "Hi"))["queue"]]
        }
        await database_sync_to_async(tag)(["vip"], [])
        seen["tagged"] = [(await next_of(first, "queue"))["position"], (await next_of(second, "queue"))["position"]]
        await database_sync_to_async(tag)([], ["vip"])
        seen["untagged"] = [(await next_of(first, "queue"))["position"], (await next_of(second, "queue"))["position"]]
        await first.disconnect()
        await second.disconnect()
        return seen

    seen = async_to_sync(run)()
    assert seen == {"acks": [1, 2], "tagged": [2, 1], "untagged": [1, 2]}
