"""SLA clocks over a simulated week with a frozen clock: business hours, pauses, restarts, breaches."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import EventKind, MessageKind, Priority, Status, TicketEvent
from helpline.workflow import sla_actions, sweep
from helpline.workflow.models import ClockKind, SlaClock, TicketState
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def berlin(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """January 2025 in Berlin (UTC+1): Monday is the 6th."""
    return dt.datetime(2025, 1, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def due(now: dt.datetime) -> dict[str, int]:
    counts = sweep.run_sweep(now)
    return {"warnings": counts["warnings"], "breaches": counts["breaches"]}


def clocks(ticket: Any) -> dict[str, SlaClock]:
    return {c.kind: c for c in SlaClock.objects.filter(ticket=ticket)}


@pytest.fixture
def urgent_policy(office_hours: Any) -> Any:
    return sla_actions.save_policy(
        actor=Actor.system(),
        name="Urgent",
        conditions={"priority": ["urgent"]},
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
        business_hours=True,
        warn_before_minutes=15,
    )


def test_a_week_of_one_urgent_ticket(clock: Any, run: Any, urgent_policy: Any) -> None:
    agent = make_agent()
    customer = make_customer()
    # Monday 16:30: 30 minutes of the working day are left.
    clock.set(berlin(6, 16, 30))
    ticket = run(make_ticket, customer, priority=Priority.URGENT, created_at=clock())
    state = TicketState.objects.get(ticket=ticket)
    assert state.policy == urgent_policy
    c = clocks(ticket)
    assert c[ClockKind.FIRST_RESPONSE].due_at == berlin(7, 9, 30)
    assert c[ClockKind.FIRST_RESPONSE].warn_at == berlin(7, 9, 15)
    assert c[ClockKind.RESOLUTION].due_at == berlin(7, 16, 30)
    assert c[ClockKind.NEXT_RESPONSE].due_at is None

    # Nothing is due overnight.
    assert due(berlin(7, 8, 0)) == {"warnings": 0, "breaches": 0}

    # Tuesday 09:10: the agent answers and waits on the customer.
    clock.set(berlin(7, 9, 10))
    run(
        ticket_actions.add_message,
        actor=Actor.of_agent(agent),
        ticket=ticket,
        kind=MessageKind.REPLY,
        body_text="Which printer?",
        new_status=Status.PENDING,
        created_at=clock(),
    )
    c = clocks(ticket)
    first, resolution = c[ClockKind.FIRST_RESPONSE], c[ClockKind.RESOLUTION]
    assert first.met_at == berlin(7, 9, 10) and first.breached_at is None
    assert resolution.paused and resolution.due_at is None
    assert resolution.spent == dt.timedelta(minutes=40)

    # Two days later the clock has not moved: pending time does not count.
    assert due(berlin(9, 9, 0))["breaches"] == 0

    # Thursday 10:00 the customer replies: resolution resumes, next response starts.
    clock.set(berlin(9, 10, 0))
    run(
        ticket_actions.add_message,
        actor=Actor.of_customer(customer),
        ticket=ticket,
        kind=MessageKind.INBOUND,
        body_text="The red one",
        created_at=clock(),
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    c = clocks(ticket)
    assert c[ClockKind.RESOLUTION].due_at == berlin(10, 9, 20)  # 440 minutes left: Thursday 7h + Friday 20 min
    assert c[ClockKind.NEXT_RESPONSE].due_at == berlin(9, 12, 0)

    # 11:50: the warning for the next response; 12:01 the breach; each handed out exactly once.
    assert due(berlin(9, 11, 50)) == {"warnings": 1, "breaches": 0}
    assert due(berlin(9, 11, 55)) == {"warnings": 0, "breaches": 0}
    assert due(berlin(9, 12, 1)) == {"warnings": 0, "breaches": 1}
    assert due(berlin(9, 12, 2)) == {"warnings": 0, "breaches": 0}
    assert clocks(ticket)[ClockKind.NEXT_RESPONSE].breached_at == berlin(9, 12, 1)

    clock.set(berlin(9, 12, 30))
    run(
        ticket_actions.add_message,
        actor=Actor.of_agent(agent),
        ticket=ticket,
        kind=MessageKind.REPLY,
        body_text="Replaced the toner",
        created_at=clock(),
    )
    assert clocks(ticket)[ClockKind.NEXT_RESPONSE].met_at == berlin(9, 12, 30)

    # Friday 09:00 solved, 20 minutes inside the resolution target.
    clock.set(berlin(10, 9, 0))
    run(ticket_actions.update_ticket, actor=Actor.of_agent(agent), ticket=ticket, status=Status.SOLVED)
    resolution = clocks(ticket)[ClockKind.RESOLUTION]
    assert resolution.met_at == berlin(10, 9, 0) and resolution.breached_at is None
    assert due(berlin(17, 9, 0)) == {"warnings": 0, "breaches": 0}


def test_calendar_time_policy_and_unmatched_tickets(clock: Any, run: Any, office_hours: Any) -> None:
    sla_actions.save_policy(
        actor=Actor.system(),
        name="VIP around the clock",
        conditions={"customer_tier": ["vip"], "channel": ["email", "web"]},
        first_response_minutes=30,
        business_hours=False,
    )
    clock.set(berlin(11, 23, 0))  # Saturday night
    vip = make_customer(custom_attributes={"tier": "vip"})
    vip_ticket = run(make_ticket, vip, created_at=clock())
    other = run(make_ticket, make_customer(), created_at=clock())
    assert clocks(vip_ticket)[ClockKind.FIRST_RESPONSE].due_at == berlin(11, 23, 30)
    assert clocks(other)[ClockKind.FIRST_RESPONSE].due_at is None
    assert due(berlin(12, 0, 0))["breaches"] == 1


def test_raising_priority_switches_policy_and_deadline(clock: Any, run: Any, urgent_policy: Any) -> None:
    sla_actions.save_policy(actor=Actor.system(), name="Normal", conditions={}, first_response_minutes=480, position=10)
    clock.set(berlin(6, 9, 0))
    ticket = run(make_ticket, created_at=clock())
    assert clocks(ticket)[ClockKind.FIRST_RESPONSE].due_at == berlin(6, 17, 0)
    clock.set(berlin(6, 10, 0))
    run(ticket_actions.update_ticket, actor=Actor.system(), ticket=ticket, priority=Priority.URGENT)
    assert TicketState.objects.get(ticket=ticket).policy == urgent_policy
    assert clocks(ticket)[ClockKind.FIRST_RESPONSE].due_at == berlin(6, 10, 0)


def test_policy_change_reapplies_to_open_tickets(clock: Any, run: Any, urgent_policy: Any) -> None:
    clock.set(berlin(6, 9, 0))
    ticket = run(make_ticket, priority=Priority.URGENT, created_at=clock())
    sla_actions.save_policy(
        actor=Actor.system(),
        name="Urgent",
        policy=urgent_policy,
        conditions={"priority": ["urgent"]},
        first_response_minutes=30,
        business_hours=False,
    )
    first = clocks(ticket)[ClockKind.FIRST_RESPONSE]
    assert first.due_at == berlin(6, 9, 30)
    assert clocks(ticket)[ClockKind.RESOLUTION].due_at is None  # the new policy sets no resolution target
    sla_actions.save_policy(
        actor=Actor.system(),
        name="Urgent",
        policy=urgent_policy,
        conditions={"priority": ["high"]},
        first_response_minutes=30,
    )
    assert TicketState.objects.get(ticket=ticket).policy is None
    assert clocks(ticket)[ClockKind.FIRST_RESPONSE].due_at is None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"conditions": {"planet": ["mars"]}}, "unknown_field"),
        ({"conditions": {"priority": ["sky-high"]}}, "invalid_choice"),
        ({"first_response_minutes": None}, "no_targets"),
        ({"first_response_minutes": -5}, "invalid_target"),
    ],
)
def test_policies_that_cannot_work_are_refused(db: Any, kwargs: dict[str, Any], code: str) -> None:
    base = {"name": "P", "first_response_minutes": 60, **kwargs}
    with pytest.raises(InvalidInputError) as err:
        sla_actions.save_policy(actor=Actor.system(), **base)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("shifts", "tz", "code"),
    [
        ([], "UTC", "calendar_no_hours"),
        ([{"weekday": 9, "start": "09:00", "end": "17:00"}], "UTC", "invalid_shift"),
        ([{"weekday": 1, "start": "9am", "end": "17:00"}], "UTC", "invalid_shift"),
        ([{"weekday": 1, "start": "09:00", "end": "17:00"}], "Mars/Base", "invalid_time_zone"),
    ],
)
def test_calendars_that_cannot_work_are_refused(db: Any, shifts: Any, tz: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        sla_actions.save_calendar(actor=Actor.system(), name="C", time_zone=tz, shifts=shifts)
    assert err.value.code == code
    assert err.value.message


def test_only_admins_manage_policies(db: Any) -> None:
    from helpline.core.errors import NotPermittedError

    with pytest.raises(NotPermittedError):
        sla_actions.save_policy(actor=Actor.of_agent(make_agent()), name="X", first_response_minutes=5)


def test_tickets_opened_in_one_batch_start_their_clocks_together(clock: Any, run: Any, urgent_policy: Any) -> None:
    """A batch's new tickets get their clocks in one go (`sla_events.start_new_tickets`)."""
    from helpline.core import batching

    customer = make_customer()
    clock.set(berlin(6, 10, 0))

    def open_three() -> list[Any]:
        with batching.batch():
            return [make_ticket(customer, priority=Priority.URGENT, created_at=clock()) for _ in range(3)]

    for ticket in run(open_three):
        assert TicketState.objects.get(ticket=ticket).policy == urgent_policy
        assert clocks(ticket)[ClockKind.FIRST_RESPONSE].due_at == berlin(6, 11, 0)
        assert clocks(ticket)[ClockKind.RESOLUTION].due_at == berlin(7, 10, 0)  # 7 working hours on Monday, 1 on Tuesday


def test_a_batch_reads_what_the_policies_look_at(
    clock: Any, run: Any, office_hours: Any, django_assert_max_num_queries: Any
) -> None:
    """Tickets opened in one batch are matched on tags, organization and customer tier alike: the
    batch reads those only when a policy's conditions look at them, never once per ticket."""
    from helpline.core import batching
    from helpline.customers import actions as customer_actions
    from helpline.workflow import sla_events
    from helpline.workflow.models import SlaPolicy

    def policy(name: str, position: int, minutes: int, **conditions: Any) -> SlaPolicy:
        return sla_actions.save_policy(
            actor=Actor.system(), name=name, conditions=conditions, first_response_minutes=minutes,
            position=position, business_hours=False,
        )

    clock.set(berlin(6, 9, 0))
    acme = customer_actions.create_organization(actor=Actor.system(), name="Acme")
    billing = policy("Billing", 1, 10, tags=["billing"])
    tier = policy("VIP", 2, 20, customer_tier=["vip"])
    org = policy("Acme", 3, 30, organization=[acme.public_id])
    fallback = policy("Everyone", 4, 40)
    vip = make_customer(custom_attributes={"tier": "vip"})
    member = make_customer(organizations=[acme])

    def open_four() -> list[Any]:
        with batching.batch():
            return [
                make_ticket(make_customer(), tags=["billing"], created_at=clock()),
                make_ticket(vip, created_at=clock()),
                make_ticket(member, created_at=clock()),
                make_ticket(make_customer(), created_at=clock()),
            ]

    tickets = run(open_four)
    expected = [(billing, 10), (tier, 20), (org, 30), (fallback, 40)]
    for ticket, (wanted, minutes) in zip(tickets, expected, strict=True):
        assert TicketState.objects.get(ticket=ticket).policy == wanted
        assert clocks(ticket)[ClockKind.FIRST_RESPONSE].due_at == clock() + dt.timedelta(minutes=minutes)

    # The same start for many tickets at once costs the same few statements (no read per ticket).
    many = [make_ticket(vip, tags=["other"], created_at=clock()) for _ in range(12)] + tickets
    SlaClock.objects.all().delete()
    TicketState.objects.all().delete()
    created = list(TicketEvent.objects.filter(ticket__in=many, kind=EventKind.CREATED))
    with batching.batch(), django_assert_max_num_queries(12):
        sla_events.start_new_tickets(created)
    assert SlaClock.objects.filter(ticket__in=many).count() == len(many) * len(ClockKind.values)
    assert TicketState.objects.get(ticket=tickets[2]).policy == org
