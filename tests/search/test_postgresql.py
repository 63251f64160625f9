"""PostgreSQL specifics: spelling correction through the trigram word list, the candidate
function's three ways of finding the most recent matches, and query plans that use the indexes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from helpline.search.backends import get_backend
from helpline.search.backends.postgresql import _PREPARE_SQL, SIMILARITY
from helpline.search.models import TicketSearchDocument
from helpline.search.query import parse_query
from helpline.search.selectors import search_customers, search_tickets
from tests.factories import make_customer, make_ticket
from tests.search.conftest import on_postgres

pytestmark = [pytest.mark.django_db, on_postgres]


def test_misspelt_words_are_corrected_by_trigram_similarity(indexed, agent_actor):
    with indexed():
        ticket = make_ticket(subject="Delivery", body_text="ჩემი მომხმარებლის ანგარიში დაიბლოკა")
        mn = make_ticket(subject="Хүргэлт", body_text="захиалгын дугаар")
        make_ticket(subject="Other", body_text="nothing at all")
    assert search_tickets(actor=agent_actor, query="ანგარში") == [ticket]  # one letter missing
    assert search_tickets(actor=agent_actor, query="дугар") == [mn]
    assert search_tickets(actor=agent_actor, query="delivry") == [ticket]
    # A known word is not "corrected" into other words.
    compiled = get_backend().compile(parse_query("nothing"))
    assert compiled is not None and re.findall(r"'[^']*'(?!:\*)", compiled.match) == []
    compiled = get_backend().compile(parse_query("delivry"))
    assert compiled is not None and "'delivery'" in compiled.match and "'delivery'" not in compiled.strict


def test_misspelt_customer_name_is_found(indexed):
    with indexed():
        customer = make_customer(name="Сарангэрэл Ганболд")
    assert search_customers("Сарангэрэл") == [customer]
    assert search_customers("Сарнгэрэл") == [customer]


def _candidates(query: str, wanted: int, window: int, recent: int) -> list[int]:
    compiled = get_backend().compile(parse_query(query))
    assert compiled is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM search_ticket_candidates(%s::tsquery, %s, %s, %s)", [compiled.match, wanted, window, recent]
        )
        return [row[0] for row in cursor.fetchall()]


def test_candidates_are_the_most_recent_matches_whichever_way_they_are_found(indexed):
    with indexed():
        tickets = [make_ticket(subject=f"n{n}", body_text="common" if n % 2 else "common rare") for n in range(12)]
    start = timezone.now() - dt.timedelta(days=30)
    for n, ticket in enumerate(tickets):
        TicketSearchDocument.objects.filter(ticket=ticket).update(ticket_updated_at=start + dt.timedelta(hours=n))
    newest_first = [t.pk for t in reversed(tickets)]
    rare = [t.pk for t in reversed(tickets) if "rare" in t.messages.get().body_text]
    # 1. enough matches among the newest documents
    assert _candidates("common", 3, 5, 8) == newest_first[:3]
    # 2. not enough in the window: GIN within the recent documents
    assert _candidates("rare", 3, 2, 8) == rare[:3]
    # 3. not enough there either, or nothing at all among the newest: GIN over everything
    assert _candidates("rare", 6, 2, 4) == rare[:6]
    assert _candidates("rare", 3, 1, 8) == rare[:3]
    # 1b. the window says the words are common: it is extended as far as needed
    assert _candidates("common", 6, 5, 8) == newest_first[:6]
    assert _candidates("nowhere", 3, 2, 4) == []


def test_customer_candidates_are_the_newest_matches_either_way(indexed):
    with indexed():
        customers = [make_customer(name=f"Номин {'Дорж' if n % 3 == 0 else 'Бат'} {n}") for n in range(9)]
    compiled = get_backend().compile(parse_query("Дорж"))
    assert compiled is not None
    newest = [c.pk for c in reversed(customers) if "Дорж" in c.name]

    def candidates(wanted: int, window: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM search_customer_candidates(%s::tsquery, %s, %s)", [compiled.match, wanted, window]
            )
            return [row[0] for row in cursor.fetchall()]

    assert candidates(1, 9) == newest[:1]  # found in the window
    assert candidates(3, 2) == newest  # not enough there: the GIN bitmap


def _plan(sql: str, params: list[object]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_match_and_word_lookup_use_the_indexes(indexed):
    with indexed():
        make_ticket(subject="Захиалга", body_text="захиалгын дугаар")
    with connection.cursor() as cursor:
        # A word list of realistic size, so the planner has a real choice.
        cursor.execute(
            "INSERT INTO search_searchword (word) SELECT 'w' || md5(i::text) FROM generate_series(1, 20000) i "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE search_searchword")
    compiled = get_backend().compile(parse_query("захиалга дугаар"))
    assert compiled is not None
    # The statements inside the candidate functions, under the functions' settings.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
    for table in ("search_ticketsearchdocument", "search_customersearchdocument"):
        plan = _plan(f"SELECT 1 FROM {table} WHERE vector @@ %s::tsquery LIMIT 300", [compiled.match])  # noqa: S608
        assert "Bitmap Index Scan on search_" in plan and "_vector" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = on")
    word_plan = _plan(_PREPARE_SQL, [SIMILARITY, ["захилга"], [False], [True]])
    assert "search_word_trgm" in word_plan, word_plan
