from __future__ import annotations

import pytest

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.tickets import actions, merge_actions
from helpline.tickets.actions import TicketClosedError
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import CustomFieldDefinition, EventKind, MessageKind, Status, Ticket
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_open_ticket_numbers_records_and_publishes(capture, commits):
    customer = make_customer(name="Nino")
    with commits():
        first = make_ticket(customer, subject="პრინტერი არ მუშაობს", body_text="მომხმარებლის პრობლემა")
        second = make_ticket(customer)
    assert second.number == first.number + 1 >= 1001
    assert first.status == Status.NEW and first.messages.get().kind == MessageKind.INBOUND
    assert capture.kinds == [EventKind.CREATED, EventKind.MESSAGE_ADDED] * 2
    groups = {g for g, _m in capture.realtime}
    assert {"desk", f"ticket.{first.public_id}", f"portal.{first.public_id}"} <= groups


def test_reply_opens_ticket_sets_first_response_and_note_stays_private(capture, commits):
    agent = make_agent()
    ticket = make_ticket()
    with commits():
        actions.add_internal_note(actor=Actor.of_agent(agent), ticket=ticket, body_text="Check the fuse")
        reply = actions.add_reply(
            actor=Actor.of_agent(agent), ticket=ticket, body_html="<p>On it<script>x</script></p>"
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_at == reply.created_at
    assert "<script>" not in reply.body_html and reply.body_text == "On it"
    portal_msgs = [m for g, m in capture.realtime if g.startswith("portal.") and m["event"] == "message_added"]
    assert len(portal_msgs) == 1  # the reply, not the note


def test_automatic_reply_is_not_the_first_response():
    agent = make_agent()
    ticket = make_ticket()
    actions.add_reply(actor=Actor.system("answer bot"), ticket=ticket, body_text="This article may help")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    reply = actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="Let me check")
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.created_at


def test_update_records_one_event_per_change_and_nothing_when_unchanged(capture, commits):
    agent = make_agent()
    CustomFieldDefinition.objects.create(key="order", label="Order", field_type="number")
    ticket = make_ticket()
    with commits():
        events = actions.update_ticket(
            actor=Actor.of_agent(agent),
            ticket=ticket,
            priority="high",
            assignee=agent,
            tags=["billing", "VIP"],
            custom_fields={"order": "42"},
        )
    kinds = sorted(e.kind for e in events)
    assert kinds == sorted(
        [
            EventKind.PRIORITY_CHANGED,
            EventKind.ASSIGNEE_CHANGED,
            EventKind.STATUS_CHANGED,
            EventKind.TAGS_CHANGED,
            EventKind.FIELD_CHANGED,
        ]
    )
    assert ticket.custom_fields == {"order": 42} and ticket.status == Status.OPEN
    assert (
        actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, priority="high", tags=["vip", "billing"])
        == []
    )


def test_invalid_input_is_refused_and_nothing_is_written():
    agent = make_agent()
    ticket = make_ticket()
    with pytest.raises(InvalidInputError):
        actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, status="bogus")
    with pytest.raises(InvalidInputError):
        actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, custom_fields={"nope": 1})
    with pytest.raises(InvalidInputError):
        actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text="  ")
    before = ticket.messages.count()
    with pytest.raises(InvalidInputError):
        actions.add_reply(
            actor=Actor.of_agent(agent),
            ticket=ticket,
            body_text="see file",
            attachments=[IncomingFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
        )
    assert ticket.messages.count() == before


def test_attachment_type_comes_from_bytes():
    agent = make_agent()
    ticket = make_ticket()
    message = actions.add_reply(
        actor=Actor.of_agent(agent), ticket=ticket, body_text="a picture", attachments=[IncomingFile("photo.txt", PNG)]
    )
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)


def test_light_agent_may_only_add_notes():
    light = make_agent(Role.LIGHT_AGENT)
    ticket = make_ticket()
    actions.add_internal_note(actor=Actor.of_agent(light), ticket=ticket, body_text="fyi")
    with pytest.raises(NotPermittedError):
        actions.add_reply(actor=Actor.of_agent(light), ticket=ticket, body_text="hello")
    with pytest.raises(NotPermittedError):
        actions.update_ticket(actor=Actor.of_agent(light), ticket=ticket, status="solved")
    with pytest.raises(NotPermittedError):
        actions.add_message(actor=Actor.of_agent(light), ticket=ticket, kind="note", body_text="x", new_status="solved")


def test_customer_cannot_touch_other_customers_ticket():
    ticket = make_ticket()
    stranger = make_customer()
    with pytest.raises(NotPermittedError):
        actions.add_message(actor=Actor.of_customer(stranger), ticket=ticket, kind="inbound", body_text="hi")


def test_customer_reply_reopens_solved_and_closed_refuses():
    agent = make_agent()
    ticket = make_ticket()
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, status="solved")
    actions.add_message(
        actor=Actor.of_customer(ticket.requester), ticket=ticket, kind="inbound", body_text="still broken"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.solved_at is None
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, status="closed")
    with pytest.raises(TicketClosedError):
        actions.add_message(
            actor=Actor.of_customer(ticket.requester), ticket=ticket, kind="inbound", body_text="hello?"
        )


def test_merge_moves_messages_and_closes_source():
    agent = make_agent()
    customer = make_customer()
    source = make_ticket(customer, subject="one", tags=["a"])
    target = make_ticket(customer, subject="two")
    merge_actions.merge_tickets(actor=Actor.of_agent(agent), source=source, target=target)
    source.refresh_from_db()
    assert source.status == Status.CLOSED and source.merged_into_id == target.pk
    assert target.messages.count() == 2 and list(target.tags.values_list("name", flat=True)) == ["a"]
    assert source.events.filter(kind=EventKind.MERGED).exists()
    assert target.events.filter(kind=EventKind.MERGED_FROM).exists()


def test_idempotent_on_channel_external_id():
    ticket = make_ticket(channel="email")
    customer = ticket.requester
    m1 = actions.add_message(
        actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text="x", external_id="<abc@mail>"
    )
    m2 = actions.add_message(
        actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text="x", external_id="<abc@mail>"
    )
    assert m1.pk == m2.pk and Ticket.objects.get(pk=ticket.pk).messages.count() == 2
