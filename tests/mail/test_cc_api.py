"""The Cc list through the REST API (`/api/tickets/{number}/cc`): the same reads and changes as the
ticket page's panel, the same refusals, one `cc_changed` event per change, and the next reply
copies the list as the API left it."""

from __future__ import annotations

import pytest

from helpline.accounts.models import Role
from helpline.mail import actions
from helpline.mail.models import Mailbox, Participant
from helpline.tickets.models import EventKind, Ticket, TicketEvent
from tests.api.conftest import ApiClient, assert_error, token_for
from tests.factories import make_agent, make_customer, make_ticket
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink, sink_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def api(role: str = Role.AGENT, username: str | None = None) -> ApiClient:
    kwargs = {"username": username} if username else {}
    return ApiClient(token_for(make_agent(role, **kwargs)))


def test_agents_read_add_and_drop_people_in_copy_and_the_reply_follows() -> None:
    carol = make_customer("carol@example.com", name="Carol Known")
    with SmtpSink() as sink:
        box = sink_mailbox(sink)
        first = raw_mail(
            "The projector in room 4 is broken.",
            sender="Ann Customer <ann@example.com>",
            message_id="<cc-api-1@example.com>",
            headers={"Cc": "bob@example.com"},
        )
        number = actions.receive_message(mailbox=box, raw=first).ticket
        ticket = Ticket.objects.get(number=number)
        sam = api(username="sam")
        listed = sam.get(f"/tickets/{number}/cc")
        assert listed.status_code == 200, listed.content
        (row,) = listed.json()
        assert {k: row[k] for k in ("email", "name", "customer")} == {
            "email": "bob@example.com",
            "name": "",
            "customer": None,
        }
        assert isinstance(row["id"], int) and row["added_at"]

        added = sam.post(f"/tickets/{number}/cc", {"address": "Carol <Carol@Example.com>"})
        assert added.status_code == 201, added.content
        assert [r["email"] for r in added.json()] == ["bob@example.com", "carol@example.com"]
        assert added.json()[1]["customer"] == carol.public_id and added.json()[1]["name"] == "Carol Known"
        again = sam.post(f"/tickets/{number}/cc", {"address": "carol@example.com"})  # already copied: no change
        assert again.status_code == 201 and len(again.json()) == 2
        assert sam.delete(f"/tickets/{number}/cc/{row['id']}").status_code == 204
        assert [r["email"] for r in sam.get(f"/tickets/{number}/cc").json()] == ["carol@example.com"]
        assert_error(sam.delete(f"/tickets/{number}/cc/{row['id']}"), 404, "cc_not_found")

        events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CC_CHANGED).order_by("id")
        assert [e.data for e in events] == [
            {"added": ["carol@example.com"], "removed": []},
            {"added": [], "removed": ["bob@example.com"]},
        ]
        assert all(e.actor_agent is not None and e.actor_agent.username == "sam" for e in events)

        # the same refusals as the panel: not an address, our own mailbox, the requester
        assert_error(sam.post(f"/tickets/{number}/cc", {"address": "not an address"}), 422, "cc_address")
        assert_error(sam.post(f"/tickets/{number}/cc", {"address": "support+x@desk.example"}), 422, "cc_own")
        assert_error(sam.post(f"/tickets/{number}/cc", {"address": "ann@example.com"}), 422, "cc_requester")

        # the next reply (through the API too) copies the list as it now stands
        reply = sam.post(f"/tickets/{number}/messages", {"kind": "reply", "body_text": "A technician comes at 3."})
        assert reply.status_code == 201, reply.content
        (sent,) = [
            m for m in sink.handler.messages if "A technician comes at 3." in m.get_body(("plain",)).get_content()
        ]
        assert sent["To"] == "ann@example.com"
        assert [a.addr_spec for a in sent["Cc"].addresses] == ["carol@example.com"]
        (envelope,) = [e for e in sink.handler.envelopes if b"A technician comes at 3." in e.content]
        assert sorted(envelope.rcpt_tos) == ["ann@example.com", "carol@example.com"]


def test_who_may_read_and_change_the_list() -> None:
    box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
    raw = raw_mail("Hello", message_id="<cc-api-2@example.com>", headers={"Cc": "bob@example.com"})
    number = actions.receive_message(mailbox=box, raw=raw).ticket
    bob = Participant.objects.get()

    light = api(Role.LIGHT_AGENT)  # reads, cannot change
    assert [r["email"] for r in light.get(f"/tickets/{number}/cc").json()] == ["bob@example.com"]
    assert_error(light.post(f"/tickets/{number}/cc", {"address": "eve@example.com"}), 403)
    assert_error(light.delete(f"/tickets/{number}/cc/{bob.pk}"), 403)

    anonymous = ApiClient()
    assert_error(anonymous.get(f"/tickets/{number}/cc"), 401)
    assert_error(anonymous.post(f"/tickets/{number}/cc", {"address": "eve@example.com"}), 401)
    assert_error(api().get("/tickets/999999/cc"), 404)
    assert list(Participant.objects.values_list("email", "dropped_at")) == [("bob@example.com", None)]

    # another ticket's entry is not this ticket's; a chat ticket copies nobody
    other = make_ticket(make_customer(), channel="chat")
    assert_error(api().delete(f"/tickets/{other.number}/cc/{bob.pk}"), 404, "cc_not_found")
    assert_error(api().post(f"/tickets/{other.number}/cc", {"address": "eve@example.com"}), 422, "cc_not_email")
    assert api().get(f"/tickets/{other.number}/cc").json() == []
