"""The ticket page's Cc list: agents see who replies copy, add an address, drop someone; each
change is a ticket event, and the next reply's headers and envelope follow the list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from helpline.core.actors import Actor
from helpline.mail import actions, participant_actions
from helpline.mail.models import Mailbox, Participant
from helpline.mail.tokens import ticket_number_from_address
from helpline.tickets.models import EventKind, Message, Ticket, TicketEvent
from tests.factories import PASSWORD, make_agent
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink, sink_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(**kwargs: object) -> Client:
    agent = make_agent(**kwargs)  # type: ignore[arg-type]
    client = Client()
    assert client.login(username=agent.username, password=PASSWORD)
    return client


def cc_list(page: str) -> list[str]:
    return re.findall(r'data-cc="([^"]+)"', page)


def test_agents_see_add_and_drop_people_in_copy_and_the_reply_follows() -> None:
    with SmtpSink() as sink:
        box = sink_mailbox(sink)
        first = raw_mail(
            "The projector in room 4 is broken.",
            sender="Ann Customer <ann@example.com>",
            message_id="<cc-1@example.com>",
            headers={"Cc": "Bob Colleague <bob@example.com>"},
        )
        ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=first).ticket)
        client = signed_in(username="sam")
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
        assert cc_list(page) == ["bob@example.com"] and 'id="cc"' in page

        # add an address (typed with a display name), then drop Bob
        response = client.post(f"/mail/tickets/{ticket.number}/cc/", {"address": "Carol <Carol@Example.com>"})
        assert response.status_code == 302 and response["Location"].endswith(f"/tickets/{ticket.number}/#cc")
        bob = Participant.objects.get(ticket=ticket, email="bob@example.com")
        assert client.post(f"/mail/tickets/{ticket.number}/cc/{bob.pk}/remove/").status_code == 302
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
        assert cc_list(page) == ["carol@example.com"]
        events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CC_CHANGED).order_by("id")
        assert [e.data for e in events] == [
            {"added": ["carol@example.com"], "removed": []},
            {"added": [], "removed": ["bob@example.com"]},
        ]
        assert all(e.actor_agent is not None and e.actor_agent.username == "sam" for e in events)
        assert "added carol@example.com to the copy" in page and "removed bob@example.com from the copy" in page

        # refused: not an address, our own mailbox (even plus-addressed), the requester
        for bad in ("not an address", "support+x@desk.example", "ann@example.com"):
            response = client.post(f"/mail/tickets/{ticket.number}/cc/", {"address": bad}, follow=True)
            assert response.status_code == 200 and 'class="alert' in response.content.decode()
        active = Participant.objects.filter(ticket=ticket, dropped_at__isnull=True)
        assert list(active.values_list("email", flat=True)) == ["carol@example.com"]
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CC_CHANGED).count() == 2

        # a "reply all" to an older mail still names Bob: he stays dropped
        older = raw_mail(
            "Any news?",
            sender="Ann Customer <ann@example.com>",
            message_id="<cc-1b@example.com>",
            headers={"In-Reply-To": "<cc-1@example.com>", "Cc": "Bob Colleague <bob@example.com>"},
        )
        assert actions.receive_message(mailbox=box, raw=older).outcome == "added"
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
        assert cc_list(page) == ["carol@example.com"]

        # the agent's reply from the page: To the requester, Cc the list as it now stands
        response = client.post(
            f"/tickets/{ticket.number}/reply/", {"kind": "reply", "body": "A technician comes at 3."}
        )
        assert response.status_code == 302
        reply = Message.objects.get(ticket=ticket, kind="reply")
        (sent,) = [
            m for m in sink.handler.messages if "A technician comes at 3." in m.get_body(("plain",)).get_content()
        ]
        assert sent["To"] == "ann@example.com"
        assert [a.addr_spec for a in sent["Cc"].addresses] == ["carol@example.com"]
        assert sent["Subject"] == f"Re: [#{ticket.number}] {ticket.subject}"
        assert sent["Message-ID"] == reply.external_id and sent["Message-ID"].endswith("@desk.example>")
        assert sent["In-Reply-To"] == "<cc-1b@example.com>"
        assert sent["References"] == "<cc-1@example.com> <cc-1b@example.com>"
        assert ticket_number_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.number
        assert sent["From"].addresses[0].addr_spec == "support@desk.example"
        (envelope,) = [e for e in sink.handler.envelopes if b"A technician comes at 3." in e.content]
        assert sorted(envelope.rcpt_tos) == ["ann@example.com", "carol@example.com"]

        # an agent can copy Bob again
        client.post(f"/mail/tickets/{ticket.number}/cc/", {"address": "bob@example.com"})
        assert cc_list(client.get(f"/tickets/{ticket.number}/").content.decode()) == [
            "bob@example.com",
            "carol@example.com",
        ]
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CC_CHANGED).last().data == {
            "added": ["bob@example.com"],
            "removed": [],
        }


def test_light_agents_see_the_copy_list_but_cannot_change_it() -> None:
    box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
    raw = raw_mail("Hello", message_id="<cc-2@example.com>", headers={"Cc": "bob@example.com"})
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=raw).ticket)
    client = signed_in(role="light_agent")
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert cc_list(page) == ["bob@example.com"] and "/cc/" not in page
    bob = Participant.objects.get(ticket=ticket)
    assert client.post(f"/mail/tickets/{ticket.number}/cc/", {"address": "eve@example.com"}).status_code == 403
    assert client.post(f"/mail/tickets/{ticket.number}/cc/{bob.pk}/remove/").status_code == 403
    assert list(Participant.objects.filter(ticket=ticket).values_list("email", flat=True)) == ["bob@example.com"]


def test_the_panel_is_in_the_agents_language() -> None:
    box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=raw_mail("Hi")).ticket)
    english = signed_in().get(f"/tickets/{ticket.number}/").content.decode()
    with translation.override("en"):  # the request activates Georgian on this thread; put English back after
        georgian = signed_in().get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="ka").content.decode()
    assert "In copy (Cc)" in english and "Add to copy" in english
    assert "ასლში (Cc)" in georgian and "ასლში დამატება" in georgian and "Add to copy" not in georgian


def test_only_email_tickets_copy_people() -> None:
    from helpline.core.errors import InvalidInputError
    from helpline.mail import participant_actions
    from tests.factories import make_customer, make_ticket

    agent = make_agent()
    ticket = make_ticket(make_customer())
    with pytest.raises(InvalidInputError) as refused:
        participant_actions.add_participant(actor=Actor.of_agent(agent), ticket=ticket, address="bob@example.com")
    assert refused.value.code == "cc_not_email" and not Participant.objects.exists()


def test_the_live_fragments_carry_the_panel_so_other_agents_see_a_change() -> None:
    box = Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=raw_mail("Hi")).ticket)
    watching = signed_in()
    participant_actions.add_participant(actor=Actor.of_agent(make_agent()), ticket=ticket, address="zoe@example.com")
    live = watching.get(f"/tickets/{ticket.number}/live/").content.decode()
    assert '<div id="cc-panel" hx-swap-oob="true">' in live and cc_list(live) == ["zoe@example.com"]
