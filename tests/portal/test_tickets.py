from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpline.core.actors import Actor
from helpline.tickets import actions, merge_actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import EventKind, Message, MessageKind, Status, TicketEvent
from tests.factories import make_agent, make_customer, make_ticket
from tests.portal.conftest import EXE, PNG, sign_in, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return make_agent()


def test_list_shows_only_own_tickets_with_status_in_constant_queries(client, django_assert_max_num_queries):
    mine = make_customer()
    other = make_customer()
    own = [make_ticket(mine, subject=f"Mine {n}") for n in range(3)]
    make_ticket(other, subject="Someone else's trouble")
    sign_in(client, mine)
    with django_assert_max_num_queries(4):
        response = client.get("/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    for ticket in own:
        assert f"#{ticket.number}" in html and f"/portal/t/{ticket.public_id}/" in html
    assert "Someone else" not in html
    assert "status--new" in html and "Updated" in html
    for n in range(20):
        make_ticket(mine, subject=f"More {n}")
    with django_assert_max_num_queries(4):
        first = client.get("/portal/")
    assert "cursor=" in first.content.decode()


def test_other_customers_ticket_and_attachment_are_404(client, agent):
    mine = make_customer()
    other = make_customer()
    theirs = make_ticket(other, attachments=[IncomingFile("secret.png", PNG)])
    reply = actions.add_reply(
        actor=Actor.of_agent(agent), ticket=theirs, body_text="Here", attachments=[IncomingFile("r.png", PNG)]
    )
    sign_in(client, mine)
    base = f"/portal/t/{theirs.public_id}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "thread/").status_code == 404
    assert client.post(base + "reply/", {"body": "hijack"}).status_code == 404
    assert client.post(base + "solve/").status_code == 404
    for attachment in [*theirs.messages.first().attachments.all(), *reply.attachments.all()]:
        assert client.get(f"/portal/files/{attachment.public_id}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN
    assert not Message.objects.filter(body_text="hijack").exists()


def test_internal_notes_are_never_shown_and_their_files_are_404(client, agent):
    customer = make_customer()
    ticket = make_ticket(customer, body_text="My question")
    note = actions.add_internal_note(
        actor=Actor.of_agent(agent),
        ticket=ticket,
        body_text="INTERNAL: customer is on the watch list",
        attachments=[IncomingFile("internal.png", PNG)],
    )
    actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Public answer")
    sign_in(client, customer)
    for path in (f"/portal/t/{ticket.public_id}/", f"/portal/t/{ticket.public_id}/thread/"):
        html = client.get(path).content.decode()
        assert "My question" in html and "Public answer" in html
        assert "INTERNAL" not in html and "internal.png" not in html
    assert client.get(f"/portal/files/{note.attachments.get().public_id}/").status_code == 404


def test_own_public_attachment_downloads(client, agent):
    customer = make_customer()
    ticket = make_ticket(customer)
    reply = actions.add_reply(
        actor=Actor.of_agent(agent), ticket=ticket, body_text="See file", attachments=[IncomingFile("fix.png", PNG)]
    )
    sign_in(client, customer)
    attachment = reply.attachments.get()
    page = client.get(f"/portal/t/{ticket.public_id}/").content.decode()
    assert f"/portal/files/{attachment.public_id}/" in page
    response = client.get(f"/portal/files/{attachment.public_id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;") and "fix.png" in response["Content-Disposition"]


def test_ticket_page_in_constant_queries(client, agent, django_assert_max_num_queries):
    customer = make_customer()
    ticket = make_ticket(customer)
    for n in range(5):
        actions.add_reply(
            actor=Actor.of_agent(agent), ticket=ticket, body_text=f"r{n}", attachments=[IncomingFile("a.png", PNG)]
        )
    sign_in(client, customer)
    with django_assert_max_num_queries(6):
        assert client.get(f"/portal/t/{ticket.public_id}/").status_code == 200


def test_customer_replies_with_attachment(client, commits, agent, media):
    customer = make_customer()
    ticket = make_ticket(customer)
    actions.update_ticket(actor=Actor.system(), ticket=ticket, status=Status.PENDING)
    sign_in(client, customer)
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    with commits():
        response = client.post(
            f"/portal/t/{ticket.public_id}/reply/", {"body": "Still broken", "attachments": [upload]}
        )
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    message = ticket.messages.order_by("-id").first()
    assert message.kind == MessageKind.INBOUND and message.author_customer == customer
    assert message.body_text == "Still broken" and message.attachments.get().filename == "photo.png"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.MESSAGE_ADDED, message=message)
    assert event.actor_customer == customer
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # a customer writing reopens a pending ticket
    assert "Still broken" in client.get(f"/portal/t/{ticket.public_id}/").content.decode()


def test_reply_errors_keep_the_text_and_write_nothing(client, media):
    customer = make_customer()
    ticket = make_ticket(customer)
    sign_in(client, customer)
    count = ticket.messages.count()
    empty = client.post(f"/portal/t/{ticket.public_id}/reply/", {"body": "  "})
    assert empty.status_code == 422 and "Write a message or attach a file." in empty.content.decode()
    bad = SimpleUploadedFile("tool.pdf", EXE, content_type="application/pdf")
    response = client.post(f"/portal/t/{ticket.public_id}/reply/", {"body": "Here is the tool", "attachments": [bad]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "tool.pdf is not an allowed file type" in html and "Here is the tool" in html
    assert ticket.messages.count() == count
    assert not [p for p in stored_files(media) if "tool" in p.name]


def test_customer_marks_solved(client, commits):
    customer = make_customer()
    ticket = make_ticket(customer)
    sign_in(client, customer)
    assert client.get(f"/portal/t/{ticket.public_id}/solve/").status_code == 405
    with commits():
        response = client.post(f"/portal/t/{ticket.public_id}/solve/")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS_CHANGED)
    assert event.actor_customer == customer and event.after == Status.SOLVED
    page = client.get(f"/portal/t/{ticket.public_id}/").content.decode()
    assert "Mark as solved" not in page and "Send reply" in page  # a solved request may still be reopened


def test_closed_ticket_asks_for_a_new_request(client):
    customer = make_customer()
    ticket = make_ticket(customer)
    actions.update_ticket(actor=Actor.system(), ticket=ticket, status=Status.CLOSED)
    sign_in(client, customer)
    page = client.get(f"/portal/t/{ticket.public_id}/").content.decode()
    assert "This request is closed" in page and 'href="/portal/new/"' in page
    assert "Send reply" not in page and "Mark as solved" not in page
    response = client.post(f"/portal/t/{ticket.public_id}/reply/", {"body": "Hello?"})
    assert response.status_code == 409 and "is closed" in response.content.decode()
    assert not ticket.messages.filter(body_text="Hello?").exists()


def test_merged_ticket_points_to_the_surviving_one(client, agent):
    customer = make_customer()
    source = make_ticket(customer, subject="Duplicate")
    target = make_ticket(customer, subject="Original")
    merge_actions.merge_tickets(actor=Actor.of_agent(agent), source=source, target=target)
    sign_in(client, customer)
    page = client.get(f"/portal/t/{source.public_id}/").content.decode()
    assert f"/portal/t/{target.public_id}/" in page and f"#{target.number}" in page
    assert "Send reply" not in page
