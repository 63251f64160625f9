"""The ticket page: thread, reply and note, errors that keep the draft, properties, merge, links."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts.models import Role, User
from helpline.core.actors import Actor
from helpline.customers.models import CustomerIdentity
from helpline.tickets import actions
from helpline.tickets.models import CustomFieldDefinition, EventKind, MessageKind, Status, TicketLink
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db


def _seen(page: str) -> str:
    match = re.search(r'name="seen" value="(\d+)"', page)
    assert match
    return match.group(1)


def test_thread_shows_messages_notes_and_attachments_distinctly(agent, agent_client):
    customer = make_customer(name="Abebe Kebede")
    ticket = make_ticket(customer, subject="የክፍያ ችግር", body_text="ካርዴ ሁለት ጊዜ ተከፍሏል")
    actions.add_internal_note(actor=Actor.of_agent(agent), ticket=ticket, body_text="Refund pending")
    actions.add_reply(
        actor=Actor.of_agent(agent), ticket=ticket, body_html="<p>We refund <b>today</b><script>x()</script></p>"
    )
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "ካርዴ ሁለት ጊዜ ተከፍሏል" in page
    assert 'class="msg msg-inbound"' in page and 'class="msg msg-note"' in page and 'class="msg msg-reply"' in page
    assert "<b>today</b>" in page and "x()" not in page
    assert "Refund pending" in page


def test_reply_and_send_as_solved(agent, agent_client):
    ticket = make_ticket()
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/",
        {"kind": "reply", "body": "Replaced the fuse.", "new_status": "solved", "seen": _seen(page)},
    )
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert response.status_code == 302 and response.url.endswith(f"#m-{reply.public_id}")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and reply.body_text == "Replaced the fuse."
    follow = agent_client.get(response.url).content.decode()
    assert "Reply sent." in follow


def test_empty_reply_and_forbidden_attachment_keep_the_typed_text(agent_client):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/reply/", {"kind": "note", "body": "   "})
    assert response.status_code == 422
    body = response.content.decode()
    assert "The message is empty." in body
    assert 'value="note" checked' in body  # the chosen kind is kept too

    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/octet-stream")
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/",
        {"kind": "reply", "body": "Here is the tool — გამარჯობა", "attachments": [exe]},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "tool.exe is not an allowed file type" in body
    assert ">Here is the tool — გამარჯობა</textarea>" in body
    assert ticket.messages.count() == 1


def test_reply_with_attachment(agent_client):
    ticket = make_ticket()
    upload = SimpleUploadedFile("steps.txt", b"1. unplug\n2. wait\n", content_type="text/plain")
    agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "See steps", "attachments": [upload]}
    )
    attachment = ticket.messages.get(kind=MessageKind.REPLY).attachments.get()
    assert attachment.filename == "steps.txt" and attachment.content_type == "text/plain"


def test_collision_warning_when_someone_wrote_meanwhile(agent_client):
    customer = make_customer()
    ticket = make_ticket(customer)
    seen = _seen(agent_client.get(f"/tickets/{ticket.number}/").content.decode())
    actions.add_message(actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text="Never mind!")
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "Let me check", "seen": seen}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "arrived while you were writing" in body and ">Let me check</textarea>" in body
    assert 'name="confirm" value="on"' in body
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()
    response = agent_client.post(
        f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "Let me check", "seen": seen, "confirm": "on"}
    )
    assert response.status_code == 302 and ticket.messages.filter(kind=MessageKind.REPLY).exists()


def test_properties_update_with_custom_fields(agent, agent_client):
    team = make_team()
    CustomFieldDefinition.objects.create(key="order", label="Order number", field_type="number")
    CustomFieldDefinition.objects.create(key="due", label="Due", field_type="date")
    CustomFieldDefinition.objects.create(key="plan", label="Plan", field_type="choice", choices=["free", "pro"])
    CustomFieldDefinition.objects.create(key="vip", label="VIP", field_type="checkbox")
    ticket = make_ticket()
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'type="number" name="cf_order"' in page and 'type="date" name="cf_due"' in page
    assert 'name="cf_plan"' in page and '<option value="pro">' in page and 'type="checkbox" name="cf_vip"' in page

    data = {
        "status": "pending",
        "priority": "high",
        "ticket_type": "incident",
        "assignee": str(agent.pk),
        "team": str(team.pk),
        "tags": "VIP, billing",
        "cf_order": "4411",
        "cf_due": "2025-03-01",
        "cf_plan": "pro",
        "cf_vip": "on",
    }
    response = agent_client.post(f"/tickets/{ticket.number}/properties/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert response["HX-Trigger"] == "ticket-changed"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.ticket_type) == ("pending", "high", "incident")
    assert ticket.assignee_id == agent.pk and ticket.team_id == team.pk
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "vip"]
    assert ticket.custom_fields == {"order": 4411, "due": "2025-03-01", "plan": "pro", "vip": True}

    history = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "changed the priority" in history and "Order number" in history

    events_before = ticket.events.count()
    agent_client.post(f"/tickets/{ticket.number}/properties/", data, headers={"HX-Request": "true"})
    assert ticket.events.count() == events_before  # nothing changed, nothing recorded


def test_invalid_property_shows_the_error_and_keeps_the_input(agent_client):
    CustomFieldDefinition.objects.create(key="order", label="Order number", field_type="number")
    ticket = make_ticket()
    data = {"status": "open", "priority": "normal", "tags": "", "cf_order": "forty-two"}
    response = agent_client.post(f"/tickets/{ticket.number}/properties/", data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "must be a number" in body and 'value="forty-two"' in body
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_merge_and_links(agent, agent_client):
    customer = make_customer()
    source = make_ticket(customer, subject="Duplicate")
    target = make_ticket(customer, subject="Original")
    other = make_ticket(subject="Related")

    response = agent_client.post(f"/tickets/{source.number}/link/", {"number": f"#{other.number}", "kind": "related"})
    assert response.status_code == 302 and TicketLink.objects.filter(source=source, target=other).exists()
    assert f"#{other.number} Related" in agent_client.get(f"/tickets/{source.number}/").content.decode()
    agent_client.post(f"/tickets/{source.number}/unlink/{other.number}/")
    assert not TicketLink.objects.exists()

    bad = agent_client.post(f"/tickets/{source.number}/merge/", {"number": "99999"}, follow=True)
    assert "Ticket #99999 does not exist." in bad.content.decode()
    response = agent_client.post(f"/tickets/{source.number}/merge/", {"number": str(target.number)})
    assert response.url == f"/tickets/{target.number}/"
    source.refresh_from_db()
    assert source.merged_into_id == target.pk and target.messages.count() == 2
    merged_page = agent_client.get(f"/tickets/{source.number}/").content.decode()
    assert "This ticket was merged into" in merged_page and 'id="composer"' not in merged_page
    history = agent_client.get(f"/tickets/{target.number}/").content.decode()
    assert f"merged #{source.number} into this ticket" in history


def test_live_fragments_are_out_of_band_and_spare_edited_properties(agent_client):
    ticket = make_ticket()
    body = agent_client.get(f"/tickets/{ticket.number}/live/?props=1").content.decode()
    assert 'id="thread" class="thread"' in body and body.count('hx-swap-oob="true"') == 8
    body = agent_client.get(f"/tickets/{ticket.number}/live/?props=0").content.decode()
    assert 'id="properties"' not in body and body.count('hx-swap-oob="true"') == 7


def test_requester_sidebar_lists_other_tickets_of_that_customer_only(agent_client):
    customer = make_customer(name="Lakshmi Reddy", email="lakshmi@example.in")
    ticket = make_ticket(customer, subject="బిల్లు తప్పుగా ఉంది")
    older = make_ticket(customer, subject="Earlier question")
    stranger = make_ticket(subject="Someone else's secret")
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    sidebar = page.split('id="requester-panel"')[1].split('id="links-panel"')[0]
    assert "lakshmi@example.in" in sidebar and f"#{older.number} Earlier question" in sidebar
    assert stranger.subject not in sidebar


def test_ticket_page_queries_do_not_grow_with_the_thread(agent, agent_client):
    customer = make_customer()
    ticket = make_ticket(customer)
    agent_client.get(f"/tickets/{ticket.number}/")  # warm caches (the desk's greeting set-up)
    with CaptureQueriesContext(connection) as short:
        agent_client.get(f"/tickets/{ticket.number}/")
    for i in range(10):
        actions.add_message(actor=Actor.of_customer(customer), ticket=ticket, kind="inbound", body_text=f"more {i}")
        actions.add_internal_note(actor=Actor.of_agent(agent), ticket=ticket, body_text=f"note {i}")
    with CaptureQueriesContext(connection) as long:
        agent_client.get(f"/tickets/{ticket.number}/")
    assert len(long.captured_queries) == len(short.captured_queries) <= 22


def test_new_ticket_on_behalf_of_a_customer(agent, agent_client, login):
    customer = make_customer(name="Bat-Erdene")
    response = agent_client.post(
        f"/tickets/new/?customer={customer.public_id}",
        {
            "subject": "Нууц үгээ мартсан",
            "body": "Called in: forgot password",
            "kind": "note",
            "channel": "phone",
            "priority": "high",
            "customer": customer.public_id,
        },
    )
    ticket = customer.tickets.get()
    assert response.url == f"/tickets/{ticket.number}/"
    assert ticket.channel == "phone" and ticket.priority == "high"
    assert ticket.messages.get().kind == MessageKind.NOTE
    assert ticket.events.filter(kind=EventKind.CREATED, actor_agent=agent).exists()

    response = agent_client.post(
        "/tickets/new/",
        {
            "contact": "new.person@example.com",
            "name": "New Person",
            "subject": "Hello",
            "body": "Hi there",
            "kind": "reply",
            "channel": "email",
            "priority": "normal",
        },
    )
    assert response.status_code == 302
    identity = CustomerIdentity.objects.get(value="new.person@example.com")
    assert identity.customer.name == "New Person" and identity.customer.tickets.count() == 1

    response = agent_client.post(
        "/tickets/new/",
        {
            "contact": "not-an-email@",
            "subject": "",
            "body": "typed words",
            "kind": "reply",
            "channel": "email",
            "priority": "normal",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422 and "typed words" in body and "This field is required." in body

    light = login(make_agent(Role.LIGHT_AGENT))
    response = light.post(
        f"/tickets/new/?customer={customer.public_id}",
        {"subject": "x", "body": "y", "kind": "note", "channel": "phone", "priority": "normal"},
    )
    assert response.status_code == 403 and customer.tickets.count() == 1


def test_properties_still_save_when_the_assignee_was_deactivated(agent, agent_client):
    leaver = make_agent(display_name="Gone Agent")
    ticket = make_ticket()
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, assignee=leaver)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    data = {"status": "open", "priority": "high", "assignee": str(leaver.pk), "tags": ""}
    response = agent_client.post(f"/tickets/{ticket.number}/properties/", data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "high" and ticket.assignee_id == leaver.pk
