"""One search costs the same number of queries whether it finds one ticket or many."""

from __future__ import annotations

import pytest
from django.db import connection

from helpline.core.actors import Actor
from helpline.search.selectors import search_tickets
from helpline.tickets import actions
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db


def _touch_list_relations(tickets):
    return [(t.requester.name, t.assignee, t.team, [tag.name for tag in t.tags.all()]) for t in tickets]


def test_ticket_search_query_count_is_constant(indexed, agent, agent_actor, django_assert_num_queries):
    with indexed():
        for n in range(15):
            ticket = make_ticket(subject=f"Захиалга {n}", body_text="хүргэлт", tags=["vip", f"t{n}"])
            actions.update_ticket(actor=agent_actor, ticket=ticket, assignee=agent)
        make_ticket(subject="Одоо", body_text="ганц")
    # PostgreSQL: query words; both: ranked ids, tickets with relations, tags.
    expected = 4 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(expected):
        one = _touch_list_relations(search_tickets(actor=agent_actor, query="ганц"))
    with django_assert_num_queries(expected):
        many = _touch_list_relations(search_tickets(actor=agent_actor, query="захиалга хүргэлт"))
    assert len(one) == 1 and len(many) == 15


def test_portal_search_query_count_is_constant(indexed, django_assert_num_queries):
    customer = make_customer()
    with indexed():
        for n in range(10):
            make_ticket(customer, subject=f"ticket {n}", body_text="ክፍያዬ")
    actor = Actor.of_customer(customer)
    # tickets in scope, their public messages, tickets with relations, tags.
    with django_assert_num_queries(4):
        many = _touch_list_relations(search_tickets(actor=actor, query="ክፍያ"))
    with django_assert_num_queries(4):
        one = _touch_list_relations(search_tickets(actor=actor, query="ticket 3"))
    assert len(many) == 10 and len(one) == 1
