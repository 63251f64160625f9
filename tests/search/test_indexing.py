"""Documents follow the tickets: new messages, subject and requester changes, renamed customers;
`reindex` rebuilds everything; a failing index never breaks the write."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.search import hooks, indexing
from helpline.search.models import CustomerSearchDocument, TicketSearchDocument
from helpline.search.selectors import search_customers, search_tickets
from helpline.tickets import actions, merge_actions
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_new_message_subject_and_requester_changes_are_indexed(indexed, agent_actor):
    with indexed():
        ticket = make_ticket(subject="Printer", body_text="fire")
    assert search_tickets(actor=agent_actor, query="მომხმარებელი") == []
    with indexed():
        actions.add_message(
            actor=Actor.of_customer(ticket.requester), ticket=ticket, kind="inbound", body_text="მომხმარებლის"
        )
    assert search_tickets(actor=agent_actor, query="მომხმარებელი") == [ticket]
    with indexed():
        actions.update_ticket(actor=agent_actor, ticket=ticket, subject="ఫిర్యాదులు")
    assert search_tickets(actor=agent_actor, query="ఫిర్యాదు") == [ticket]
    assert search_tickets(actor=agent_actor, query="printer") == []
    new_requester = make_customer(name="ትዕግስት ግርማ")
    with indexed():
        actions.change_requester(actor=agent_actor, ticket=ticket, requester=new_requester)
    assert search_tickets(actor=agent_actor, query="ትዕግስት") == [ticket]


def test_non_text_changes_keep_the_document_current_in_time(indexed, agent_actor):
    with indexed():
        ticket = make_ticket(subject="Printer", body_text="fire")
    with indexed():
        actions.update_ticket(actor=agent_actor, ticket=ticket, priority="high")
    ticket.refresh_from_db()
    assert TicketSearchDocument.objects.get(ticket=ticket).ticket_updated_at == ticket.updated_at


def test_renamed_customer_reindexes_their_tickets(indexed, agent_actor):
    customer = make_customer(name="Номин")
    with indexed():
        ticket = make_ticket(customer, subject="Question", body_text="hello")
    assert search_tickets(actor=agent_actor, query="Номин") == [ticket]
    with indexed():
        customer_actions.update_customer(actor=agent_actor, customer=customer, name="Энхжин")
    assert search_tickets(actor=agent_actor, query="Энхжин") == [ticket]
    assert search_tickets(actor=agent_actor, query="Номин") == []


def test_failing_index_is_logged_and_the_write_stands(indexed, agent_actor, monkeypatch):
    calls, logged = [], []

    def broken(ticket_id: int) -> bool:
        calls.append(ticket_id)
        raise RuntimeError("index down")

    def broken_many(ticket_ids: list[int], appendable: tuple[int, ...] = ()) -> int:
        calls.extend(sorted({*ticket_ids, *appendable}))
        raise RuntimeError("index down")

    monkeypatch.setattr(indexing, "index_ticket", broken)
    monkeypatch.setattr(indexing, "index_tickets", broken_many)
    monkeypatch.setattr(hooks.log, "exception", lambda msg, *args: logged.append(msg % args))
    requester = make_customer()
    with indexed():
        ticket = make_ticket(requester, subject="Printer", body_text="fire")
    assert ticket.pk and ticket.messages.count() == 1
    # The worker task indexes the transaction's events together: that failed, was logged, and the
    # queued retry (one per ticket) failed too.
    assert calls == [ticket.pk] * 2
    assert len(logged) == 1 and logged[0].startswith("search indexing failed")
    monkeypatch.undo()
    assert search_tickets(actor=agent_actor, query="printer") == []
    indexing.index_ticket(ticket.pk)
    assert search_tickets(actor=agent_actor, query="printer") == [ticket]


def test_reindex_command_rebuilds_everything(indexed, agent_actor):
    with indexed():
        customer = make_customer(name="ლევან", email="levan@example.ge")
        first = make_ticket(customer, subject="Question", body_text="მომხმარებლის ანგარიში")
        second = make_ticket(subject="Другой", body_text="захиалгын дугаар")
        merged = make_ticket(customer, subject="Dup", body_text="ანგარიში")
        merge_actions.merge_tickets(actor=agent_actor, source=merged, target=first)
    TicketSearchDocument.objects.all().delete()
    CustomerSearchDocument.objects.all().delete()
    assert search_tickets(actor=agent_actor, query="ანგარიში") == []
    assert search_customers("levan") == []
    out = io.StringIO()
    call_command("reindex", "--no-progress", "--batch-size", "1", stdout=out)
    assert "2 ticket documents" in out.getvalue()
    assert search_tickets(actor=agent_actor, query="მომხმარებელი ანგარიში") == [first]
    assert search_tickets(actor=agent_actor, query="захиалга") == [second]
    assert search_tickets(actor=agent_actor, query="levan@example.ge") == [first]
    assert search_customers("levan") == [customer]
    # Same text whichever way the document was built.
    rebuilt = TicketSearchDocument.objects.get(ticket=first)
    indexing.index_ticket(first.pk)
    fresh = TicketSearchDocument.objects.get(ticket=first)
    assert (rebuilt.title, rebuilt.body) == (fresh.title, fresh.body)
    call_command("reindex", "--no-progress", "--fresh", stdout=out)
    assert search_tickets(actor=agent_actor, query="ანგარიში") == [first]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_fts_table_stays_in_sync_on_update_and_delete(indexed, agent_actor):
    with indexed():
        ticket = make_ticket(subject="Printer", body_text="fire")
    TicketSearchDocument.objects.filter(ticket=ticket).update(title="Scanner")
    assert search_tickets(actor=agent_actor, query="scanner") == [ticket]
    assert search_tickets(actor=agent_actor, query="printer") == []
    TicketSearchDocument.objects.filter(ticket=ticket).delete()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_ticket_fts(search_ticket_fts, rank) VALUES ('integrity-check', 1)")
        cursor.execute("SELECT count(*) FROM search_ticket_fts WHERE search_ticket_fts MATCH 'scanner'")
        assert cursor.fetchone()[0] == 0


def test_bulk_and_single_customer_documents_are_the_same(indexed):
    system = Actor.system()
    with indexed():
        org = customer_actions.create_organization(actor=system, name="ნინოს საცხობი", domain="bakery.ge")
        other_org = customer_actions.create_organization(actor=system, name="Another", domain="")
        customer = customer_actions.create_customer(
            actor=system,
            name="ნინო",
            identities=[("email", "nino@bakery.ge"), ("phone", "+995 555 12 34 56"), ("telegram", "ninobakes")],
            organizations=[org, other_org],
        )
        bare = customer_actions.create_customer(actor=system, name="", identities=[("whatsapp", "+1 555 0100")])
    singles = {d.customer_id: (d.title, d.body) for d in CustomerSearchDocument.objects.all()}
    CustomerSearchDocument.objects.all().delete()
    call_command("reindex", "--no-progress", "--customers-only", stdout=io.StringIO())
    bulk = {d.customer_id: (d.title, d.body) for d in CustomerSearchDocument.objects.all()}
    assert bulk == singles
    assert "5551234" in singles[customer.pk][1] and "bakery.ge" in singles[customer.pk][1]
    assert search_customers("15550100") == [bare]
