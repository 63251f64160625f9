from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import actions, selectors, workspace_actions
from helpline.tickets.models import Status, Ticket
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db


def test_keyset_pagination_walks_every_ticket_once():
    customer = make_customer()
    tickets = [make_ticket(customer, subject=f"t{i}") for i in range(23)]
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = selectors.paginate(selectors.visible_tickets(Actor.system()), sort="-updated_at", cursor=cursor, limit=5)
        seen += [t.pk for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(t.pk for t in tickets) and len(seen) == len(set(seen))
    numbers = []
    cursor = None
    while True:
        page = selectors.paginate(selectors.visible_tickets(Actor.system()), sort="number", cursor=cursor, limit=7)
        numbers += [t.number for t in page.items]
        if not (cursor := page.next_cursor):
            break
    assert numbers == sorted(numbers) and len(numbers) == 23


def test_bad_cursor_and_sort_are_clear_errors():
    with pytest.raises(InvalidInputError):
        selectors.paginate(selectors.visible_tickets(Actor.system()), cursor="garbage!!")
    with pytest.raises(InvalidInputError):
        selectors.paginate(selectors.visible_tickets(Actor.system()), sort="subject")
    with pytest.raises(InvalidInputError):
        selectors.filter_tickets(selectors.visible_tickets(Actor.system()), {"colour": "red"}, agent=None)


def test_builtin_views_and_filters(commits):
    team = make_team()
    agent = make_agent(teams=[team])
    other = make_agent()
    mine = make_ticket(subject="mine")
    actions.update_ticket(actor=Actor.of_agent(agent), ticket=mine, assignee=agent)
    theirs = make_ticket(subject="theirs")
    actions.update_ticket(actor=Actor.of_agent(other), ticket=theirs, assignee=other, team=team, tags=["vip"])
    with commits():  # the search index is written after commit
        unassigned = make_ticket(subject="nobody")
    qs = selectors.visible_tickets(Actor.of_agent(agent))

    def view(name: str) -> set[str]:
        filters = selectors.builtin_view_filters(name, agent)
        return set(selectors.filter_tickets(qs, filters, agent=agent).values_list("subject", flat=True))

    assert view("mine") == {"mine"}
    assert view("unassigned") == {"nobody"}
    assert view("my_teams") == {"theirs"}
    assert view("all") == {"mine", "theirs", "nobody"}
    assert set(selectors.filter_tickets(qs, {"tag": "VIP"}, agent=agent).values_list("subject", flat=True)) == {
        "theirs"
    }
    assert unassigned.pk in selectors.filter_tickets(qs, {"q": "fire"}, agent=agent).values_list("pk", flat=True)


def test_customer_sees_only_own_tickets_and_saved_view_sharing_rules():
    a, b = make_customer(), make_customer()
    ta = make_ticket(a)
    make_ticket(b)
    assert list(selectors.visible_tickets(Actor.of_customer(a))) == [ta]
    agent = make_agent()
    view = workspace_actions.save_view(actor=Actor.of_agent(agent), name="Urgent", filters={"priority": "urgent"})
    assert list(selectors.saved_views_for(agent)) == [view]
    from helpline.core.errors import NotPermittedError

    with pytest.raises(NotPermittedError):
        workspace_actions.save_view(actor=Actor.of_agent(agent), name="Shared", filters={}, shared=True)
    supervisor = make_agent(Role.SUPERVISOR)
    shared = workspace_actions.save_view(
        actor=Actor.of_agent(supervisor), name="Team", filters={"status": "active"}, shared=True
    )
    assert shared in selectors.saved_views_for(agent)
    with pytest.raises(InvalidInputError):
        workspace_actions.save_view(actor=Actor.of_agent(agent), name="Bad", filters={"nope": 1})


def test_capped_counts_count_up_to_the_cap_in_one_query():
    customer = make_customer()
    for i in range(5):
        make_ticket(customer, subject=f"t{i}")
    solved = make_ticket(customer, subject="done")
    actions.update_ticket(actor=Actor.system(), ticket=solved, status=Status.SOLVED)
    views = {
        "all": Ticket.objects.all(),
        "open": Ticket.objects.filter(status__in=["new", "open"]),
        "solved": Ticket.objects.filter(status=Status.SOLVED),
        "none": Ticket.objects.none(),
        "empty_list": Ticket.objects.filter(pk__in=[]),
    }
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.capped_counts(views, cap=4)
    assert counts == {"all": 4, "open": 4, "solved": 1, "none": 0, "empty_list": 0}
    assert len(queries) == 1
    assert selectors.capped_counts(views, cap=100) == {"all": 6, "open": 5, "solved": 1, "none": 0, "empty_list": 0}
    assert selectors.capped_counts({}, cap=10) == {}


def test_capped_counts_within_a_budget():
    customer = make_customer()
    for i in range(3):
        make_ticket(customer, subject=f"t{i}")
    views = {"all": Ticket.objects.all(), "new": Ticket.objects.filter(status=Status.NEW)}
    assert selectors.capped_counts_within(views, cap=2, budget_ms=5000) == {"all": 2, "new": 2}
    spent = selectors.capped_counts_within(views, cap=2, budget_ms=0)
    if connection.vendor == "postgresql":
        assert spent == {"all": None, "new": None}  # no time left: not counted
        # A query cut off at the time limit leaves no timeout behind for the next ones.
        slow = Ticket.objects.extra(where=["pg_sleep(0.2) IS NOT NULL"])  # noqa: S610 - fixed SQL
        assert selectors.capped_counts_within({"slow": slow}, cap=2, budget_ms=50) == {"slow": None}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.1), current_setting('statement_timeout')")
            assert cursor.fetchone()[1] == "0"
    else:
        assert spent == {"all": 2, "new": 2}  # SQLite: no statement timeout, always counted
