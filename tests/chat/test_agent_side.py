"""The agent's side of a chat: transfer to an agent or a team (availability and capacity respected,
note kept, visitor told), canned responses in the customer's language, and the visitor's context
(page, browser languages) beside the chat ticket."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.chat import actions as chat_actions
from helpline.chat import agent_context
from helpline.chat.assignment import transfer_chat
from helpline.chat.models import Availability, Conversation
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import EventKind, MessageKind, Status, Ticket
from helpline.workflow.macros import save_macro
from tests.factories import make_agent, make_team

pytestmark = pytest.mark.django_db


def online(agent: Any, capacity: int = 3) -> Any:
    chat_actions.set_chat_status(actor=Actor.of_agent(agent), status=Availability.ONLINE, capacity=capacity)
    return agent


def start_chat(body: str = "Hello", *, language: str = "") -> tuple[str, Ticket]:
    visitor = visitor_from_token(new_visitor_token())
    assert visitor
    if language:
        chat_actions.identify_visitor(visitor_id=visitor, language=language)
    message, _conversation = chat_actions.post_visitor_message(visitor_id=visitor, client_id="c1", body=body)
    return visitor, message.ticket


def test_transfer_to_an_agent_keeps_the_note_and_tells_the_visitor(commits: Any, monkeypatch: Any) -> None:
    pushed: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("helpline.chat.assignment.send_to_group", lambda g, m: pushed.append((g, m)))
    first = online(make_agent(display_name="Nino"))
    visitor, ticket = start_chat(language="ka")
    assert ticket.assignee == first
    second = online(make_agent(display_name="Tamar"))
    with commits():
        transfer_chat(actor=Actor.of_agent(first), ticket=ticket, agent=second, note="Wants a refund for order 42")
    ticket.refresh_from_db()
    assert ticket.assignee == second
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "Wants a refund for order 42" in note.body_text and "Tamar" in note.body_text
    assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED, actor_agent=first).exists()
    [(group, message)] = pushed
    assert group == f"chat.visitor.{visitor}" and message["type"] == "chat.notice"
    assert "Tamar" in message["text"] and message["text"] != "You are being transferred to Tamar."  # Georgian


def test_transfer_refuses_an_agent_who_is_away_or_full() -> None:
    first = online(make_agent())
    _visitor, ticket = start_chat()
    away = make_agent()
    chat_actions.set_chat_status(actor=Actor.of_agent(away), status=Availability.AWAY)
    with pytest.raises(ConflictError) as refused:
        transfer_chat(actor=Actor.of_agent(first), ticket=ticket, agent=away)
    assert refused.value.code == "agent_unavailable"
    full = online(make_agent(), capacity=1)
    other = ticket_actions.open_ticket(
        actor=Actor.of_agent(full), requester=ticket.requester, subject="x", body_text="x", channel="chat"
    )
    ticket_actions.update_ticket(actor=Actor.of_agent(full), ticket=other, assignee=full)
    with pytest.raises(ConflictError) as refused:
        transfer_chat(actor=Actor.of_agent(first), ticket=ticket, agent=full)
    assert refused.value.code == "agent_at_capacity"
    with pytest.raises(InvalidInputError):
        transfer_chat(actor=Actor.of_agent(first), ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assignee == first


def test_transfer_to_a_team_picks_its_least_busy_available_member_or_queues() -> None:
    first = online(make_agent())
    _v, ticket = start_chat()
    _v2, busy_chat = start_chat()
    assert ticket.assignee == first
    busy, idle, away = make_agent(), make_agent(), make_agent()
    team = make_team("Billing", members=[busy, idle, away])
    online(busy)
    online(idle)
    ticket_actions.update_ticket(actor=Actor.of_agent(busy), ticket=busy_chat, assignee=busy)
    transfer_chat(actor=Actor.of_agent(first), ticket=ticket, team=team)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (idle, team)  # busy has a chat, away is not online

    for agent in (busy, idle):
        chat_actions.set_chat_status(actor=Actor.of_agent(agent), status=Availability.OFFLINE)
    _v3, waiting = start_chat()
    assert waiting.assignee == first
    transfer_chat(actor=Actor.of_agent(first), ticket=waiting, team=team)
    waiting.refresh_from_db()
    assert waiting.assignee is None and waiting.team == team  # waits in the queue for Billing


def test_transfer_page_and_errors_over_http() -> None:
    first = online(make_agent())
    _visitor, ticket = start_chat()
    second = online(make_agent(display_name="Dawit"))
    client = Client()
    client.force_login(first)
    page = client.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chat-transfer"' in html and f'value="agent:{second.pk}"' in html
    refused = client.post(
        f"/chat/agent/{ticket.number}/transfer/", {"to": "agent:999999"}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 422
    done = client.post(
        f"/chat/agent/{ticket.number}/transfer/",
        {"to": f"agent:{second.pk}", "note": "VIP"},
        HTTP_ACCEPT="application/json",
    )
    assert done.status_code == 200 and done.json()["assignee"] == second.pk
    ticket.refresh_from_db()
    assert ticket.assignee == second
    again = client.post(f"/chat/agent/{ticket.number}/transfer/", {"to": f"agent:{second.pk}"})
    assert again.status_code == 302  # back to the ticket with the error shown


def test_canned_responses_use_the_customers_language_and_change_nothing() -> None:
    admin = make_agent("admin", display_name="Nino")
    online(admin)
    save_macro(
        actor=Actor.of_agent(admin),
        name="Greeting",
        body="Hello {{ customer.first_name }}, {{ agent.first_name }} here.",
        variants={"ka": "გამარჯობა {{ customer.first_name }}, მე ვარ {{ agent.first_name }}."},
    )
    save_macro(
        actor=Actor.of_agent(admin),
        name="Only actions",
        actions=[{"type": "set", "field": "priority", "value": "high"}],
    )
    visitor, ticket = start_chat(language="ka")
    chat_actions.identify_visitor(visitor_id=visitor, name="Giorgi Beridze")
    ticket.refresh_from_db()
    responses = agent_context.canned_responses(ticket=ticket, agent=admin)
    assert [r.name for r in responses] == ["Greeting"]
    assert responses[0].text.startswith("გამარჯობა") and "Nino" in responses[0].text
    client = Client()
    client.force_login(admin)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="chat-canned"' in html and "data-canned=" in html and "გამარჯობა" in html
    ticket.refresh_from_db()
    assert ticket.priority != "high" and ticket.messages.count() == 1


def test_context_panel_shows_the_page_the_visitor_is_on_and_follows_navigation() -> None:
    agent = online(make_agent())
    visitor, ticket = start_chat()
    assert chat_actions.note_visitor_page(
        visitor_id=visitor,
        url="https://shop.example/cart",
        title="Your cart",
        browser_language="ka-GE,ka,en",
        language="ka",
    )
    assert not chat_actions.note_visitor_page(
        visitor_id=visitor, url="https://shop.example/cart", title="Your cart", browser_language="ka-GE,ka,en"
    )
    assert not chat_actions.note_visitor_page(visitor_id=visitor, url="javascript:alert(1)", title="x")
    client = Client()
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Your cart" in page and "ka-GE,ka,en" in page
    chat_actions.note_visitor_page(visitor_id=visitor, url="https://shop.example/checkout", title="Checkout")
    fragment = client.get(f"/chat/agent/{ticket.number}/context/")
    assert fragment.status_code == 200 and fragment["Cache-Control"] == "no-store"
    html = fragment.content.decode()
    assert "Checkout" in html and "https://shop.example/checkout" in html
    assert "Your cart" in html  # the page before
    conversation = Conversation.objects.get(visitor_id=visitor)
    assert conversation.language == "ka" and [p["title"] for p in conversation.pages] == ["Your cart", "Checkout"]
    assert Client().get(f"/chat/agent/{ticket.number}/context/").status_code == 302  # agents only


def test_no_chat_panel_on_other_channels() -> None:
    agent = make_agent()
    _visitor, chat = start_chat()
    ticket = ticket_actions.open_ticket(
        actor=Actor.of_agent(agent), requester=chat.requester, subject="By mail", body_text="x", channel="email"
    )
    client = Client()
    client.force_login(agent)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="chat-panel"' not in html
    # the customer's past tickets (with links) are in the requester panel beside a chat
    html = client.get(f"/tickets/{chat.number}/").content.decode()
    assert 'id="chat-panel"' in html and f'href="/tickets/{ticket.number}/"' in html


def test_an_ended_chat_cannot_be_transferred() -> None:
    first = online(make_agent())
    second = online(make_agent())
    _visitor, ticket = start_chat()
    ticket_actions.update_ticket(actor=Actor.of_agent(first), ticket=ticket, status=Status.SOLVED)
    with pytest.raises(ConflictError):
        transfer_chat(actor=Actor.of_agent(first), ticket=ticket, agent=second)
