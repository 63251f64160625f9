"""What the other workflow tests leave out: SLA policies chosen by ticket type, organisation and
tags; a team on manual routing; a rule applying a shared macro in the customer's language; time
rules swept by two workers at once (each reminder sent once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message, MessageKind, Status, Ticket, TicketEvent
from helpline.workflow import macros, routing_actions, rule_actions, sla_actions, sweep
from helpline.workflow.models import ClockKind, RuleRun, SlaClock
from tests.factories import make_agent, make_customer, make_team, make_ticket
from tests.workflow.conftest import in_two_workers

SYSTEM = Actor.system()


def first_response_policy(ticket: Ticket) -> str | None:
    clock = SlaClock.objects.select_related("policy").get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    return clock.policy.name if clock.policy else None


@pytest.mark.django_db
def test_policies_are_chosen_by_type_organisation_and_tags(clock: Any, run: Any) -> None:
    acme = customer_actions.create_organization(actor=Actor.of_agent(make_agent()), name="Acme")
    for position, (name, conditions, minutes) in enumerate(
        [
            ("Incidents", {"ticket_type": ["incident"]}, 15),
            ("Acme contract", {"organization": [acme.public_id]}, 30),
            ("Billing", {"tags": ["billing", "refund"]}, 120),
            ("Everyone else", {}, 480),
        ]
    ):
        sla_actions.save_policy(
            actor=SYSTEM,
            name=name,
            conditions=conditions,
            first_response_minutes=minutes,
            business_hours=False,
            position=position,
        )
    acme_customer = make_customer()
    customer_actions.update_customer(actor=SYSTEM, customer=acme_customer, organizations=[acme])
    incident = run(make_ticket, ticket_type="incident")
    contract = run(make_ticket, acme_customer)
    refund = run(make_ticket, tags=["refund"])
    plain = run(make_ticket)
    assert [first_response_policy(t) for t in (incident, contract, refund, plain)] == [
        "Incidents",
        "Acme contract",
        "Billing",
        "Everyone else",
    ]
    due = SlaClock.objects.get(ticket=refund, kind=ClockKind.FIRST_RESPONSE).due_at
    assert due == clock() + dt.timedelta(minutes=120)
    # a tag added later switches the plain ticket to the billing policy and its deadline
    run(ticket_actions.update_ticket, actor=SYSTEM, ticket=plain, add_tags=["billing"])
    assert first_response_policy(plain) == "Billing"
    plain_due = SlaClock.objects.get(ticket=plain, kind=ClockKind.FIRST_RESPONSE).due_at
    assert plain_due == clock() + dt.timedelta(minutes=120)


@pytest.mark.django_db
def test_manual_routing_leaves_tickets_for_people_to_take(run: Any) -> None:
    agents = [make_agent(), make_agent()]
    team = make_team(members=agents)
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="manual")
    for agent in agents:
        routing_actions.save_agent_routing(actor=Actor.of_agent(agent), agent=agent, status="online")
    ticket = run(make_ticket, team=team)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind="assignee_changed").exists()


@pytest.mark.django_db
def test_a_rule_applies_a_shared_macro_in_the_customers_language(clock: Any, run: Any) -> None:
    admin = make_agent(Role.ADMIN)
    macro = macros.save_macro(
        actor=Actor.of_agent(admin),
        name="Delivery delay",
        body="Hello {{ customer.first_name }}, your parcel ({{ ticket.reference }}) is late.",
        variants={"mn": "Сайн байна уу {{ customer.first_name }}, таны илгээмж ({{ ticket.reference }}) хоцорч байна."},
        actions=[{"type": "add_tags", "tags": "delivery"}],
    )
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Late parcels",
        trigger="ticket_created",
        conditions_all=[{"field": "message.text", "op": "contains", "value": "parcel"}],
        actions=[{"type": "macro", "macro": macro.pk}],
        active=True,
    )
    ticket = run(make_ticket, make_customer(name="Bat-Erdene Dorj", language="mn"), body_text="Where is my parcel?")
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reply.body_text == f"Сайн байна уу Bat-Erdene, таны илгээмж (#{ticket.number}) хоцорч байна."
    assert "delivery" in ticket.tags.values_list("name", flat=True)
    labels = set(TicketEvent.objects.filter(ticket=ticket).values_list("actor_label", flat=True))
    assert "rule:Late parcels" in labels  # the history names the rule


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_time_rules_at_once_send_each_reminder_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row claiming under real concurrency is checked on PostgreSQL")
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Remind after 3 days",
        trigger="time",
        anchor="status_since",
        delay_minutes=3 * 24 * 60,
        conditions_all=[{"field": "ticket.status", "op": "is", "value": "pending"}],
        actions=[{"type": "reply", "body": "Any news on {{ ticket.reference }}?"}],
        active=True,
    )
    agent = make_agent()
    tickets = []
    for n in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(subject=f"T{n}")
            ticket_actions.update_ticket(actor=Actor.of_agent(agent), ticket=ticket, status=Status.PENDING)
        tickets.append(ticket)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3, hours=1)
    totals = in_two_workers(lambda: sweep.run_sweep(later))
    assert sum(t["time_rules"] for t in totals) == 30
    assert RuleRun.objects.filter(rule__name="Remind after 3 days").count() == 30
    for ticket in tickets:
        assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).count() == 1


@pytest.mark.django_db
def test_conditions_on_channel_language_tags_and_a_text_pattern(clock: Any, run: Any) -> None:
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Refunds by email",
        trigger="ticket_created",
        conditions_all=[
            {"field": "ticket.channel", "op": "in", "value": "email, web"},
            {"field": "message.text", "op": "matches", "value": r"(?i)\b(refund|money back)\b"},
            {"field": "ticket.tags", "op": "excludes", "value": "handled"},
        ],
        conditions_any=[
            {"field": "ticket.language", "op": "is", "value": "ka"},
            {"field": "customer.language", "op": "is", "value": "ka"},
        ],
        actions=[{"type": "add_tags", "tags": "refund"}],
        active=True,
    )
    georgian = make_customer(language="ka")

    def opened(customer: Any, channel: str, text: str, tags: tuple[str, ...] = ()) -> bool:
        ticket = run(make_ticket, customer, channel=channel, body_text=text, tags=list(tags))
        return "refund" in ticket.tags.values_list("name", flat=True)

    assert opened(georgian, "email", "I want my Money Back please")
    assert opened(georgian, "web", "Refund for order 12")
    assert not opened(georgian, "chat", "Refund for order 12")  # channel
    assert not opened(georgian, "email", "Refunding is not what I asked")  # the pattern's word boundary
    assert not opened(georgian, "email", "refund", tags=("handled",))  # tags
    assert not opened(make_customer(language="en"), "email", "refund please")  # neither language is ka
