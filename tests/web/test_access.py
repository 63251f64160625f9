"""Who may open the workspace pages: agents only, light agents notes only, customers never."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.tickets import actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import MessageKind, Status
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def _pages(ticket, customer) -> list[str]:
    return [
        "/tickets/",
        f"/tickets/{ticket.number}/",
        f"/tickets/{ticket.number}/live/",
        f"/tickets/{ticket.number}/row/",
        "/tickets/counts/",
        "/tickets/new/",
        "/customers/",
        f"/customers/{customer.public_id}/",
        "/search/?q=printer",
    ]


def test_anonymous_visitors_are_sent_to_sign_in():
    customer = make_customer()
    ticket = make_ticket(customer)
    client = Client()
    for url in _pages(ticket, customer):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    assert Client().get("/").status_code == 302


def test_anonymous_post_changes_nothing():
    ticket = make_ticket()
    response = Client().post(f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ticket.messages.count() == 1


def test_signed_in_portal_customer_cannot_open_agent_pages():
    from helpline.portal.auth import magic_link_url

    customer = make_customer(email="nino@example.ge")
    ticket = make_ticket(customer)
    client = Client()
    client.get(magic_link_url(customer, "nino@example.ge").replace("http://127.0.0.1:8000", ""))
    for url in _pages(ticket, customer):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_agent_pages_render(agent_client):
    customer = make_customer(name="Nino Beridze")
    ticket = make_ticket(customer, subject="პრინტერი არ მუშაობს")
    for url in _pages(ticket, customer):
        assert agent_client.get(url).status_code == 200, url
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "პრინტერი არ მუშაობს" in page and "Nino Beridze" in page


def test_unknown_objects_are_404(agent_client):
    assert agent_client.get("/tickets/999999/").status_code == 404
    assert agent_client.get("/customers/nope/").status_code == 404
    assert agent_client.get("/organizations/nope/").status_code == 404
    assert agent_client.get("/attachments/nope/").status_code == 404


def test_light_agent_sees_only_the_note_composer_and_cannot_reply(login):
    light = make_agent(Role.LIGHT_AGENT)
    ticket = make_ticket()
    client = login(light)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'value="note"' in page and 'name="kind" value="reply"' not in page
    assert 'name="new_status" value="solved"' not in page  # no "send and set status" for light agents

    response = client.post(f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "Hello there"})
    assert response.status_code == 403
    assert "Hello there" in response.content.decode()  # the typed text is kept
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()

    response = client.post(f"/tickets/{ticket.number}/reply/", {"kind": "note", "body": "Looks like a fuse"})
    assert response.status_code == 302
    assert ticket.messages.filter(kind=MessageKind.NOTE, body_text="Looks like a fuse").exists()

    response = client.post(f"/tickets/{ticket.number}/properties/", {"status": "solved", "priority": "urgent"})
    ticket.refresh_from_db()
    assert response.status_code == 422 and ticket.status == Status.NEW and ticket.priority == "normal"


def test_attachments_download_only_through_the_authorised_view(agent_client):
    customer = make_customer()
    ticket = make_ticket(customer)
    message = actions.add_message(
        actor=Actor.of_customer(customer),
        ticket=ticket,
        kind=MessageKind.INBOUND,
        body_text="see the file",
        attachments=[IncomingFile("notes.txt", b"secret numbers 42\n")],
    )
    attachment = message.attachments.get()
    url = f"/attachments/{attachment.public_id}/"
    assert url in agent_client.get(f"/tickets/{ticket.number}/").content.decode()

    response = agent_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret numbers 42\n"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"

    assert Client().get(url).status_code == 302
    assert Client().get("/media/" + attachment.file.name).status_code == 404
