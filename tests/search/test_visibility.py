"""Search shows only what the searcher may see: portal customers their own tickets and never
internal notes; merged tickets through the ticket they were merged into; inactive agents nothing."""

from __future__ import annotations

import pytest

from helpline.accounts import actions as account_actions
from helpline.core.actors import Actor
from helpline.search.models import TicketSearchDocument
from helpline.search.selectors import filter_tickets_by_text, search_tickets
from helpline.tickets import actions, merge_actions
from helpline.tickets.models import Ticket
from helpline.tickets.selectors import filter_tickets, visible_tickets
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_customer_never_finds_other_customers_tickets_or_notes(indexed, agent_actor):
    mine, theirs = make_customer(), make_customer()
    with indexed():
        own = make_ticket(mine, subject="Billing", body_text="ክፍያዬ አልደረሰም")
        foreign = make_ticket(theirs, subject="Billing", body_text="ክፍያዬ አልደረሰም")
        actions.add_internal_note(actor=agent_actor, ticket=own, body_text="ማጭበርበር suspected fraud")
    customer = Actor.of_customer(mine)
    assert search_tickets(actor=customer, query="ክፍያ") == [own]
    assert search_tickets(actor=customer, query="fraud") == []
    assert search_tickets(actor=customer, query="ማጭበርበር") == []
    assert search_tickets(actor=customer, query=f"#{foreign.number}") == []
    assert list(filter_tickets_by_text(visible_tickets(customer), "fraud", public_only=True)) == []
    # Agents see notes.
    assert search_tickets(actor=agent_actor, query="fraud") == [own]
    assert set(search_tickets(actor=agent_actor, query="ክፍያ")) == {own, foreign}


def test_merged_ticket_content_is_found_in_the_target(indexed, agent_actor):
    requester = make_customer()
    with indexed():
        source = make_ticket(requester, subject="First", body_text="захиалгын дугаар 1")
        target = make_ticket(requester, subject="Second", body_text="хүргэлт удаашралтай")
        merge_actions.merge_tickets(actor=agent_actor, source=source, target=target)
    assert not TicketSearchDocument.objects.filter(ticket=source).exists()
    assert search_tickets(actor=agent_actor, query="захиалга") == [target]
    assert search_tickets(actor=agent_actor, query="захиалга хүргэлт") == [target]
    assert search_tickets(actor=Actor.of_customer(requester), query="захиалга") == [target]


def test_inactive_agent_finds_nothing(indexed):
    admin = make_agent("admin")
    agent = make_agent()
    with indexed():
        make_ticket(subject="Printer", body_text="fire")
    account_actions.update_agent(actor=admin, agent=agent, is_active=False)
    agent.refresh_from_db()
    assert search_tickets(actor=Actor.of_agent(agent), query="printer") == []


def test_ticket_list_filter_q_uses_the_index(indexed, agent):
    with indexed():
        hit = make_ticket(subject="Question", body_text="మా ఫిర్యాదులు")
        make_ticket(subject="Question", body_text="nothing")
    qs = filter_tickets(Ticket.objects.all(), {"q": "ఫిర్యాదు", "status": "active"}, agent=agent)
    assert list(qs) == [hit]
