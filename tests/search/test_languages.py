"""Inflected forms in each desk language are found by the dictionary form, its stem prefix, and
(where the language allows) the other way round; only message text holds the word."""

from __future__ import annotations

import pytest

from helpline.core.actors import Actor
from helpline.search.selectors import filter_tickets_by_text, search_tickets
from helpline.tickets import actions
from helpline.tickets.models import Ticket
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db

# (language, word in the message, queries that must find it, query that must not)
CASES = [
    # Georgian: "customer" (nominative) / "customer's" (genitive); common stem მომხმარებ.
    ("ka", "მომხმარებლის", ["მომხმარებელი", "მომხმარებ", "მომხმარებლის"], "მომავალი"),
    ("ka", "მომხმარებელი", ["მომხმარებლის", "მომხმარებ", "მომხმარებელი"], "მომავალი"),
    # Telugu: "complaint" / "complaints".
    ("te", "ఫిర్యాదులు", ["ఫిర్యాదు", "ఫిర్యాదులు"], "ఫలితం"),
    ("te", "ఫిర్యాదు", ["ఫిర్యాదులు", "ఫిర్యాదు"], "ఫలితం"),
    # Amharic: "payment" / "my payment".
    ("am", "ክፍያዬ", ["ክፍያ", "ክፍያዬ"], "ክፍል"),
    ("am", "ክፍያ", ["ክፍያዬ", "ክፍያ"], "ክፍል"),
    # Mongolian: "order" / "of the order"; upper case in the query too.
    ("mn", "захиалгын", ["захиалга", "ЗАХИАЛГА", "захиалг", "захиалгын"], "захидал"),
    ("mn", "захиалга", ["захиалгын", "Захиалга"], "захидал"),
    # English.
    ("en", "printers", ["printer", "PRINTERS", "print"], "paper"),
    ("en", "refunded", ["refund", "refunded"], "return"),
]


def _ticket_with_word_in_second_message(agent_actor, word: str) -> Ticket:
    requester = make_customer()
    ticket = make_ticket(requester, subject="Ticket 1", body_text="hello")
    actions.add_reply(actor=agent_actor, ticket=ticket, body_text=f"A reply with — {word}, inside.")
    return ticket


@pytest.mark.parametrize(("language", "word", "queries", "unrelated"), CASES)
def test_inflected_words_in_messages_are_found(indexed, agent_actor, language, word, queries, unrelated):
    with indexed():
        ticket = _ticket_with_word_in_second_message(agent_actor, word)
        other = make_ticket(subject="Something else", body_text=f"nothing to see {unrelated}")
    for query in queries:
        found = search_tickets(actor=agent_actor, query=query)
        assert ticket in found, (language, word, query)
        assert other not in found, (language, word, query)
        assert ticket in filter_tickets_by_text(Ticket.objects.all(), query)
    assert search_tickets(actor=agent_actor, query=unrelated) == [other]


def test_each_language_in_one_desk_and_two_words_must_both_match(indexed, agent_actor):
    texts = {
        "ka": "მომხმარებლის ანგარიში დაიბლოკა",
        "am": "ክፍያዬ አልደረሰም እባክዎ",
        "mn": "Миний захиалгын дугаар буруу",
        "te": "నా ఫిర్యాదులు ఇంకా పరిష్కరించలేదు",
        "en": "The printers are on fire again",
    }
    with indexed():
        tickets = {lang: make_ticket(subject=f"ticket {lang}", body_text=text) for lang, text in texts.items()}
    assert search_tickets(actor=agent_actor, query="მომხმარებელი ანგარიში") == [tickets["ka"]]
    assert search_tickets(actor=agent_actor, query="ክፍያ አልደረሰም") == [tickets["am"]]
    assert search_tickets(actor=agent_actor, query="захиалга дугаар") == [tickets["mn"]]
    assert search_tickets(actor=agent_actor, query="ఫిర్యాదు ఇంకా") == [tickets["te"]]
    assert search_tickets(actor=agent_actor, query="printer fire") == [tickets["en"]]
    assert search_tickets(actor=agent_actor, query="printer ანგარიში") == []
    assert search_tickets(actor=agent_actor, query='"on fire"') == [tickets["en"]]
    assert search_tickets(actor=agent_actor, query='"fire on"') == []
    assert set(search_tickets(actor=agent_actor, query="printer OR ክፍያ")) == {tickets["en"], tickets["am"]}
    assert search_tickets(actor=agent_actor, query="printer -fire") == []


def test_subject_matches_rank_above_body_matches(indexed, agent_actor):
    with indexed():
        in_body = make_ticket(subject="Question", body_text="ანგარიში ანგარიში")
        in_subject = make_ticket(subject="ანგარიში დაიბლოკა", body_text="help")
    assert search_tickets(actor=agent_actor, query="ანგარიში") == [in_subject, in_body]
    ranked = list(filter_tickets_by_text(Ticket.objects.all(), "ანგარიში", rank=True))
    assert ranked == [in_subject, in_body]


def test_words_as_typed_rank_above_stem_matches(indexed, agent_actor):
    with indexed():
        stem_only = make_ticket(subject="one", body_text="захиалгын дугаар")
        exact = make_ticket(subject="two", body_text="захиалга дугаар")
    assert search_tickets(actor=agent_actor, query="захиалга") == [exact, stem_only]


def test_requester_name_and_address_find_their_tickets(indexed, agent_actor):
    with indexed():
        requester = make_customer(email="nino.beridze@example.ge", name="ნინო ბერიძე")
        ticket = make_ticket(requester, subject="Question", body_text="hello")
        make_ticket(subject="Question", body_text="hello")
    assert search_tickets(actor=agent_actor, query="ბერიძე") == [ticket]
    assert search_tickets(actor=agent_actor, query="nino.beridze@example.ge") == [ticket]
    assert search_tickets(actor=agent_actor, query="ნინო hello") == [ticket]


def test_ticket_number_is_found_first(indexed, agent_actor):
    with indexed():
        ticket = make_ticket(subject="Anything")
        mention = make_ticket(subject="About", body_text=f"see ticket {ticket.number}")
    assert search_tickets(actor=agent_actor, query=f"#{ticket.number}") == [ticket, mention]
    assert search_tickets(actor=agent_actor, query=str(ticket.number))[0] == ticket


def test_portal_customer_searches_what_they_may_read(indexed):
    customer = make_customer()
    with indexed():
        ticket = make_ticket(customer, subject="My order", body_text="захиалгын дугаар 55")
        make_ticket(subject="Theirs", body_text="захиалгын дугаар 55")
    actor = Actor.of_customer(customer)
    assert search_tickets(actor=actor, query="захиалга") == [ticket]
    assert search_tickets(actor=actor, query="ЗАХИАЛГЫН дугаар") == [ticket]
    assert list(filter_tickets_by_text(Ticket.objects.filter(requester=customer), "захиалга", public_only=True)) == [
        ticket
    ]
