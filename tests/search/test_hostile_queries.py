"""Whatever is typed, search answers with results or nothing, never an error."""

from __future__ import annotations

import pytest

from helpline.core.actors import Actor
from helpline.search.selectors import filter_tickets_by_text, search_customers, search_tickets
from helpline.tickets.models import Ticket
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"foo',
    'foo"',
    '""',
    '"',
    "a AND",
    "AND",
    "OR",
    "NOT",
    "a OR",
    "OR a",
    "a NOT b",
    "NEAR(a b)",
    "NEAR(",
    "foo*",
    "*",
    "^foo",
    "title:foo",
    "body : foo",
    "(",
    ")",
    "((a)",
    "a & b | !c",
    "a <-> b",
    "foo:*",
    "'",
    "''",
    "it's",
    "\\",
    "\\'",
    "a\\",
    "%",
    "_",
    "-",
    "--",
    "- -a",
    "-a",
    "+",
    "#",
    "#99999999999999999999999",
    "99999999999999999999999",
    "0",
    "<script>alert(1)</script>",
    "'; DROP TABLE tickets_ticket; --",
    "\x00",
    "a\x00b",
    "\u200b",
    "🔥",
    "ა" * 5000,
    " ".join(["word"] * 200),
    "$$",
    "@",
    "@@",
    "e-mail",
    "x" * 100,
    "\ufeff",
    "ఫి్",
]


@pytest.fixture
def desk(indexed):
    customer = make_customer(email="foo@example.com", name="Foo Bar")
    with indexed():
        ticket = make_ticket(customer, subject="foo bar it's", body_text='He said "foo" (a AND b) NEAR x*')
    return customer, ticket


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_returns_a_list(desk, agent_actor, query):
    customer, _ticket = desk
    assert isinstance(search_tickets(actor=agent_actor, query=query), list)
    assert isinstance(search_tickets(actor=Actor.of_customer(customer), query=query), list)
    assert isinstance(search_customers(query), list)
    assert isinstance(list(filter_tickets_by_text(Ticket.objects.all(), query, rank=True)), list)


def test_operators_are_plain_words(desk, agent_actor):
    _customer, ticket = desk
    assert search_tickets(actor=agent_actor, query='"foo') == [ticket]
    assert search_tickets(actor=agent_actor, query="foo AND") == [ticket]
    assert search_tickets(actor=agent_actor, query="NEAR(foo") == [ticket]
    assert search_tickets(actor=agent_actor, query="foo*") == [ticket]
    assert search_tickets(actor=agent_actor, query="title:foo") == []  # "title" is a word like any other
    assert search_tickets(actor=agent_actor, query="it's") == [ticket]
