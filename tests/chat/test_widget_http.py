"""The widget's HTTP side: script, localised configuration, sessions, uploads, the offline form,
attachment downloads, availability and routing, and who delivers replies on chat tickets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from helpline.chat import actions as chat_actions
from helpline.chat import selectors
from helpline.chat.models import Availability
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.customers.models import Channel, CustomerIdentity
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Message, Status, Ticket
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_widget_script_is_served_to_any_origin() -> None:
    response = Client().get("/chat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert b"attachShadow" in response.content and len(response.content) < 20_000


def test_config_follows_the_browser_or_site_language_and_staffing() -> None:
    client = Client()
    assert client.get("/chat/config/", {"lang": "fr-FR,ka-GE,en"}).json()["language"] == "ka"
    assert client.get("/chat/config/", {"lang": "te"}).json()["language"] == "te"
    assert client.get("/chat/config/", {"lang": "xx"}).json()["language"] == "en"
    config = client.get("/chat/config/").json()
    assert config["staffed"] is False and config["color"].startswith("#")
    chat_actions.set_chat_status(actor=Actor.of_agent(make_agent()), status=Availability.ONLINE)
    assert client.get("/chat/config/").json()["staffed"] is True
    admin = make_agent("admin")
    chat_actions.update_chat_settings(actor=Actor.of_agent(admin), color="#ff0000", greeting="Salut", always_open=False)
    config = client.get("/chat/config/").json()
    assert (config["color"], config["greeting"], config["staffed"]) == ("#ff0000", "Salut", False)


def test_session_keeps_a_valid_token_and_replaces_a_forged_one() -> None:
    client = Client()
    token = client.post("/chat/session/").json()["token"]
    assert visitor_from_token(token)
    assert client.post("/chat/session/", {"token": token}).json()["token"] == token
    forged = client.post("/chat/session/", {"token": token[:-2] + "xx"}).json()["token"]
    assert forged != token and visitor_from_token(forged)


def test_offline_message_and_callback_become_tickets() -> None:
    client = Client()
    response = client.post("/chat/offline/", {"name": "Nino", "email": "nino@example.ge", "message": "Where is it?"})
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == Channel.CHAT and ticket.requester.email == "nino@example.ge"
    assert list(ticket.tags.values_list("name", flat=True)) == ["chat-offline"]
    response = client.post("/chat/offline/", {"name": "Bat", "phone": "+976 9911 2233", "callback": "1"})
    assert response.status_code == 201
    callback = Ticket.objects.get(number=response.json()["ticket"])
    assert "+976 9911 2233" in callback.subject and callback.tags.get().name == "callback"
    assert CustomerIdentity.objects.filter(kind="phone", value="+97699112233", customer=callback.requester).exists()
    refused = client.post("/chat/offline/", {"message": "no way to answer"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "email_required"


def test_upload_goes_through_attachment_checks_and_only_its_visitor_downloads_it() -> None:
    client = Client()
    token = new_visitor_token()
    response = client.post(
        "/chat/upload/", {"token": token, "cid": "f1", "file": _file("screen.png", PNG)}, format="multipart"
    )
    assert response.status_code == 200, response.content
    file = response.json()["message"]["files"][0]
    assert file["type"] == "image/png"
    assert client.get(file["url"], {"token": token}).status_code == 200
    assert client.get(file["url"], {"token": new_visitor_token()}).status_code == 404
    refused = client.post(
        "/chat/upload/", {"token": token, "cid": "f2", "file": _file("a.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 60)}
    )
    assert refused.status_code == 422
    assert client.post("/chat/upload/", {"token": "nope", "cid": "f3", "file": _file("a.png", PNG)}).status_code == 403


def test_new_chats_go_to_the_least_busy_online_agent_speaking_the_language() -> None:
    busy, free, georgian, away = make_agent(), make_agent(), make_agent(language="ka"), make_agent()
    for agent in (busy, free, georgian):
        chat_actions.set_chat_status(actor=Actor.of_agent(agent), status=Availability.ONLINE, capacity=2)
    chat_actions.set_chat_status(actor=Actor.of_agent(away), status=Availability.AWAY)
    chat_actions.identify_visitor(visitor_id="v-ka", language="ka")
    message, _conv = chat_actions.post_visitor_message(visitor_id="v-ka", client_id="1", body="გამარჯობა")
    assert message.ticket.assignee == georgian
    first, _c = chat_actions.post_visitor_message(visitor_id="v-1", client_id="1", body="Hello")
    second, _c = chat_actions.post_visitor_message(visitor_id="v-2", client_id="1", body="Hello")
    assert {first.ticket.assignee, second.ticket.assignee} == {busy, free}
    for n in range(3, 6):
        chat_actions.post_visitor_message(visitor_id=f"v-{n}", client_id="1", body="Hello")
    queued, _c = chat_actions.post_visitor_message(visitor_id="v-6", client_id="1", body="Hello")
    assert queued.ticket.assignee is None and selectors.queue_position(queued.ticket) == 1


def test_a_visitor_who_left_an_email_gets_replies_by_email_once_gone(commits) -> None:  # type: ignore[no-untyped-def]
    chat_actions.identify_visitor(visitor_id="v-mail", name="Ann", email="ann@example.com")
    message, conversation = chat_actions.post_visitor_message(visitor_id="v-mail", client_id="1", body="Hi")
    assert conversation.customer.email == "ann@example.com"
    assert CustomerIdentity.objects.filter(kind="chat", value="v-mail", customer=conversation.customer).exists()
    mail.outbox.clear()
    with commits():
        reply = ticket_actions.add_reply(
            actor=Actor.of_agent(make_agent()), ticket=message.ticket, body_text="We will write back"
        )
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert "We will write back" in mail.outbox[0].body


def test_agent_status_page(client: Client) -> None:
    agent = make_agent()
    client.force_login(agent)
    assert client.get("/chat/status/").status_code == 200
    response = client.post("/chat/status/", {"status": "online", "capacity": "4"})
    assert response.status_code == 302 and response["Location"] == "/chat/status/"
    assert agent.routing.status == Availability.ONLINE and agent.routing.chat_capacity == 4
    assert client.post("/chat/status/", {"status": "dancing"}).status_code == 422


def test_chat_page_lists_my_chats_the_queue_and_who_is_online(client: Client) -> None:
    from tests.factories import make_customer, make_ticket

    agent, colleague = make_agent(display_name="Nino Agent"), make_agent(display_name="Ravi Colleague")
    chat_actions.set_chat_status(actor=Actor.of_agent(colleague), status=Availability.ONLINE, capacity=5)
    mine = make_ticket(make_customer(name="Mariam Visitor"), channel=Channel.CHAT, subject="Chat with Mariam")
    ticket_actions.update_ticket(actor=Actor.of_agent(agent), ticket=mine, assignee=agent)
    first = make_ticket(make_customer(name="Early Bird"), channel=Channel.CHAT, subject="Chat one")
    second = make_ticket(make_customer(name="Late Comer"), channel=Channel.CHAT, subject="Chat two")
    make_ticket(make_customer(name="Email Person"), subject="Not a chat")
    client.force_login(agent)

    page = client.get("/chat/status/").content.decode()
    assert "Mariam Visitor" in page and f"#{mine.number}" in page
    # the queue in arrival order, email tickets left out, and who is online with their load
    assert page.index(f"#{first.number} Early Bird") < page.index(f"#{second.number} Late Comer")
    assert "Email Person" not in page
    assert "Ravi Colleague" in page and "0 of 5 chats" in page
    lists = client.get("/chat/status/?lists=1").content.decode()
    assert "Early Bird" in lists and "<html" not in lists


def _file(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_delivery_status_of_chat_replies_when_visitor_has_no_socket_and_no_email(commits) -> None:  # type: ignore[no-untyped-def]
    message, _conversation = chat_actions.post_visitor_message(visitor_id="v-none", client_id="1", body="Hi")
    with commits():
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=message.ticket, body_text="Hello")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.QUEUED
    assert "away" in reply.delivery_error


def test_business_hours_in_the_desk_time_zone() -> None:
    import datetime as dt

    from helpline.chat.models import ChatSettings

    config = ChatSettings(
        always_open=False,
        open_days=[1, 2, 3, 4, 5],
        opens_at=dt.time(9),
        closes_at=dt.time(18),
        time_zone="Asia/Tbilisi",
    )
    monday_10_tbilisi = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    monday_19_tbilisi = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    saturday_noon = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
    assert selectors.within_business_hours(config, monday_10_tbilisi)
    assert not selectors.within_business_hours(config, monday_19_tbilisi)
    assert not selectors.within_business_hours(config, saturday_noon)


def test_visitor_gets_the_transcript_by_email(commits) -> None:  # type: ignore[no-untyped-def]
    token = new_visitor_token()
    visitor = visitor_from_token(token)
    assert visitor
    client = Client()
    assert client.post("/chat/transcript/", {"token": token, "email": "a@example.com"}).status_code == 422
    message, _conversation = chat_actions.post_visitor_message(visitor_id=visitor, client_id="1", body="Question?")
    ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=message.ticket, body_text="Answer!")
    mail.outbox.clear()
    with commits():
        response = client.post("/chat/transcript/", {"token": token, "email": "Visitor@Example.com"})
    assert response.status_code == 200 and response.json()["email"] == "visitor@example.com"
    sent = [m for m in mail.outbox if m.to == ["visitor@example.com"]]
    assert len(sent) == 1 and "Question?" in sent[0].body and "Answer!" in sent[0].body
    assert f"#{message.ticket.number}" in sent[0].subject


def test_prechat_form_links_the_visitor_to_the_customer_with_that_email() -> None:
    from tests.factories import make_customer

    known = make_customer("lena@example.com", name="Lena")
    token = new_visitor_token()
    visitor = visitor_from_token(token)
    client = Client()
    bad = client.post("/chat/prechat/", {"token": token, "name": "Lena", "email": "not-an-email"})
    assert bad.status_code == 422
    ok = client.post(
        "/chat/prechat/",
        {"token": token, "name": "Lena", "email": "LENA@example.com", "language": "mn", "page_url": "https://shop/x"},
    )
    assert ok.status_code == 200
    message, conversation = chat_actions.post_visitor_message(visitor_id=str(visitor), client_id="1", body="Hi")
    assert message.ticket.requester == known and conversation.language == "mn"
    assert message.meta == {"page_url": "https://shop/x"}
    assert known.identities.filter(kind="chat", value=visitor).exists()
    assert client.post("/chat/prechat/", {"token": "forged", "email": "x@example.com"}).status_code == 403


def test_a_socket_keeps_its_conversation_and_follows_when_the_ticket_moves_on() -> None:
    visitor = "v-known"
    first, _conversation = chat_actions.post_visitor_message(visitor_id=visitor, client_id="1", body="Hi")
    known = selectors.known_conversation(visitor)  # as the visitor's socket keeps it
    assert known is not None
    second, kept = chat_actions.post_visitor_message(
        visitor_id=visitor, client_id="2", body="Still there?", known=known
    )
    assert kept is known and second.ticket_id == first.ticket_id
    # a resend of the same message (after a reconnect) is stored once
    again, _kept = chat_actions.post_visitor_message(
        visitor_id=visitor, client_id="2", body="Still there?", known=known
    )
    assert again.pk == second.pk
    # the ticket was closed behind the socket's back: the next message opens a new one
    ticket_actions.update_ticket(actor=Actor.system(), ticket=first.ticket, status=Status.CLOSED)
    third, moved = chat_actions.post_visitor_message(visitor_id=visitor, client_id="3", body="Hello?", known=known)
    assert third.ticket_id != first.ticket_id and moved.ticket_id == third.ticket_id
    # the conversation went to another ticket (the offline form) while the socket kept the open one
    offline = chat_actions.leave_offline_message(visitor_id=visitor, email="known@example.com", message="Mail me")
    fourth, _moved = chat_actions.post_visitor_message(visitor_id=visitor, client_id="4", body="And?", known=moved)
    assert fourth.ticket_id == offline.pk != third.ticket_id
    assert [m.body_text for m in Message.objects.filter(ticket=third.ticket)] == ["Hello?"]


def test_a_message_on_the_known_conversation_reads_no_more_than_it_writes(
    django_assert_max_num_queries: Any,
) -> None:
    visitor = "v-cheap"
    chat_actions.post_visitor_message(visitor_id=visitor, client_id="1", body="Hi")
    known = selectors.known_conversation(visitor)
    # savepoint, the ticket locked with the conversation checked, the resend check, the message,
    # its event, the ticket's times, release: neither the conversation nor the customer again
    with django_assert_max_num_queries(7):
        message, _kept = chat_actions.post_visitor_message(visitor_id=visitor, client_id="2", body="Next", known=known)
    assert message.ticket.messages.count() == 2
