"""Automations over simulated weeks with a frozen clock: event and time triggers, ordering,
stop-processing, loop protection, failures, validation and dry runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from helpline.accounts.models import AuditLogEntry, Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message, MessageKind, Priority, Status, TicketEvent
from helpline.workflow import rule_actions, sla_actions, sweep
from helpline.workflow.models import AgentNotification, Rule, RuleRun
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def rule(name: str, trigger: str, actions: list[dict[str, Any]], **kwargs: Any) -> Rule:
    return rule_actions.save_rule(actor=SYSTEM, name=name, trigger=trigger, actions=actions, active=True, **kwargs)


def history_actors(ticket: Any) -> list[str]:
    return [e.actor_label for e in TicketEvent.objects.filter(ticket=ticket).order_by("id") if e.actor_label]


def test_pending_three_days_reminds_then_seven_days_solves(clock: Any, run: Any) -> None:
    rule(
        "Remind after 3 days",
        "time",
        [{"type": "reply", "body": "Hello {{ customer.first_name }}, any news on {{ ticket.reference }}?"}],
        anchor="status_since",
        delay_minutes=3 * 24 * 60,
        conditions_all=[{"field": "ticket.status", "op": "is", "value": "pending"}],
    )
    rule(
        "Solve after 7 days",
        "time",
        [{"type": "set", "field": "status", "value": "solved"}],
        anchor="status_since",
        delay_minutes=7 * 24 * 60,
        conditions_all=[{"field": "ticket.status", "op": "is", "value": "pending"}],
    )
    agent = make_agent()
    customer = make_customer(name="Nino Beridze")
    ticket = run(make_ticket, customer)
    run(ticket_actions.update_ticket, actor=Actor.of_agent(agent), ticket=ticket, status=Status.PENDING)
    for day in range(1, 9):
        clock.advance(days=1)
        run(sweep.run_sweep, clock())
        run(sweep.run_sweep, clock())  # a second worker's sweep finds nothing left to do
        ticket.refresh_from_db()
        replies = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY)
        if day < 3:
            assert replies.count() == 0
        elif day < 7:
            assert replies.count() == 1
            assert ticket.status == Status.PENDING
    reminder = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reminder.body_text == f"Hello Nino, any news on #{ticket.number}?"
    assert ticket.status == Status.SOLVED
    assert "rule:Remind after 3 days" in history_actors(ticket)
    assert "rule:Solve after 7 days" in history_actors(ticket)


def test_event_rules_run_in_order_and_stop_processing(clock: Any, run: Any) -> None:
    rule(
        "Refunds are urgent",
        "ticket_created",
        [{"type": "set", "field": "priority", "value": "urgent"}, {"type": "add_tags", "tags": "refund"}],
        conditions_any=[
            {"field": "message.text", "op": "matches", "value": r"\brefund(s|ed)?\b"},
            {"field": "ticket.subject", "op": "contains", "value": "money back"},
        ],
        position=1,
        stop_processing=True,
    )
    rule("Everything else is low", "ticket_created", [{"type": "set", "field": "priority", "value": "low"}], position=2)
    refund = run(make_ticket, subject="Order 55", body_text="I want a refund please")
    other = run(make_ticket, subject="Question", body_text="How do I log in?")
    refund.refresh_from_db()
    other.refresh_from_db()
    assert refund.priority == Priority.URGENT
    assert list(refund.tags.values_list("name", flat=True)) == ["refund"]
    assert other.priority == Priority.LOW
    event = TicketEvent.objects.get(ticket=refund, kind="priority_changed")
    assert event.actor_label == "rule:Refunds are urgent"


def test_customer_reply_and_business_hours_and_customer_attributes(clock: Any, run: Any, office_hours: Any) -> None:
    rule(
        "VIP out of hours",
        "message_received",
        [{"type": "note", "body": "VIP {{ customer.name }} wrote out of hours"}],
        conditions_all=[
            {"field": "business_hours.now", "op": "is", "value": "no"},
            {"field": "customer.attribute.tier", "op": "is", "value": "gold"},
            {"field": "customer.language", "op": "in", "value": "ka, en"},
        ],
    )
    customer = make_customer(name="Gold Client", custom_attributes={"tier": "gold"}, language="ka")
    clock.set(dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC))  # Monday 11:00 in Berlin: open
    ticket = run(make_ticket, customer, created_at=clock())
    clock.advance(minutes=5)
    run(
        ticket_actions.add_message,
        actor=Actor.of_customer(customer),
        ticket=ticket,
        kind=MessageKind.INBOUND,
        body_text="hi",
        created_at=clock(),
    )
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).exists()
    clock.set(dt.datetime(2025, 1, 6, 20, tzinfo=dt.UTC))  # 21:00: closed
    run(
        ticket_actions.add_message,
        actor=Actor.of_customer(customer),
        ticket=ticket,
        kind=MessageKind.INBOUND,
        body_text="hello?",
        created_at=clock(),
    )
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert note.body_text == "VIP Gold Client wrote out of hours"


def test_loop_protection_stops_rules_that_undo_each_other(clock: Any, run: Any) -> None:
    rule(
        "Ping",
        "ticket_updated",
        [{"type": "add_tags", "tags": "ping"}, {"type": "remove_tags", "tags": "pong"}],
        conditions_all=[{"field": "ticket.tags", "op": "includes", "value": "pong"}],
    )
    rule(
        "Pong",
        "ticket_updated",
        [{"type": "add_tags", "tags": "pong"}, {"type": "remove_tags", "tags": "ping"}],
        conditions_all=[{"field": "ticket.tags", "op": "includes", "value": "ping"}],
    )
    ticket = run(make_ticket)

    real_now = clock.at

    def ticking() -> dt.datetime:  # every action happens a moment later, as in real life
        clock.at += dt.timedelta(seconds=1)
        return clock.at

    import django.utils.timezone as tz

    original = tz.now
    tz.now = ticking
    try:
        run(ticket_actions.update_ticket, actor=Actor.of_agent(make_agent()), ticket=ticket, add_tags=["ping"])
    finally:
        tz.now = original
    assert clock.at > real_now
    runs = RuleRun.objects.filter(ticket=ticket).count()
    assert runs == 10  # the limit per ticket per chain
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE, body_text__contains="loop protection").exists()


def test_failing_rule_is_recorded_disabled_and_admins_told_others_still_run(clock: Any, run: Any) -> None:
    boss = make_agent(Role.ADMIN)
    broken = rule(
        "Broken webhook",
        "ticket_created",
        [{"type": "webhook", "url": "http://127.0.0.1:9/hook"}],
        position=1,
    )
    rule("Still works", "ticket_created", [{"type": "add_tags", "tags": "seen"}], position=2)
    tickets = []
    for _ in range(3):
        clock.advance(minutes=1)
        tickets.append(run(make_ticket))
    for ticket in tickets:
        assert "seen" in ticket.tags.values_list("name", flat=True)
        note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
        assert "Automation “Broken webhook” failed" in note.body_text
    broken.refresh_from_db()
    assert not broken.active and broken.disabled_at is not None and broken.failure_count == 3
    assert any("Broken webhook" in m.subject for m in mail.outbox if boss.email in m.to)
    assert AuditLogEntry.objects.filter(data__rule="Broken webhook", data__reason="repeated failures").exists()
    notice = AgentNotification.objects.get(agent=boss)
    assert "Broken webhook" in notice.title and "Webhook call failed" in notice.body
    clock.advance(minutes=1)
    later = run(make_ticket)
    assert not Message.objects.filter(ticket=later, kind=MessageKind.NOTE).exists()


def test_sla_breach_escalates(clock: Any, run: Any) -> None:
    lead = make_agent(username="lead")
    sla_actions.save_policy(actor=SYSTEM, name="All", first_response_minutes=30, business_hours=False)
    rule(
        "Escalate breaches",
        "sla_breached",
        [
            {"type": "set", "field": "priority", "value": "urgent"},
            {"type": "assign", "agent": "lead"},
            {"type": "notify", "to": "assignee", "subject": "Breach on {{ ticket.reference }}", "body": "Look at it"},
        ],
        conditions_all=[{"field": "sla.target", "op": "is", "value": "first_response"}],
    )
    rule("Warn", "sla_warning", [{"type": "add_tags", "tags": "sla-warning"}])
    ticket = run(make_ticket)
    clock.advance(minutes=20)
    run(sweep.run_sweep, clock())
    assert "sla-warning" in ticket.tags.values_list("name", flat=True)
    clock.advance(minutes=11)
    run(sweep.run_sweep, clock())
    run(sweep.run_sweep, clock())
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT and ticket.assignee == lead
    notified = [m for m in mail.outbox if lead.email in m.to and "X-Helpline-Notification" not in m.extra_headers]
    assert [m.subject for m in notified] == [f"Breach on #{ticket.number}"]


@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({"conditions_all": [{"field": "ticket.mood", "op": "is", "value": "x"}]}, "unknown_field", "ticket.mood"),
        (
            {"conditions_all": [{"field": "ticket.status", "op": "is", "value": "sleeping"}]},
            "invalid_value",
            "sleeping",
        ),
        (
            {"conditions_all": [{"field": "message.text", "op": "matches", "value": "(unclosed"}]},
            "invalid_pattern",
            "pattern",
        ),
        (
            {"actions": [{"type": "reply", "body": "Hi {{ customer.shoe_size }}"}]},
            "unknown_placeholder",
            "customer.shoe_size",
        ),
        ({"actions": [{"type": "webhook", "url": "ftp://example.com/x"}]}, "invalid_url", "ftp://example.com/x"),
        ({"actions": [{"type": "set", "field": "mood", "value": "x"}]}, "unknown_field", "mood"),
        ({"actions": [{"type": "teleport"}]}, "unknown_action", "teleport"),
        ({"actions": []}, "no_actions", ""),
        ({"trigger": "time", "anchor": "status_since", "delay_minutes": 0}, "invalid_delay", ""),
    ],
)
def test_rules_that_cannot_work_are_refused_with_a_clear_message(
    db: Any, kwargs: dict[str, Any], code: str, words: str
) -> None:
    base: dict[str, Any] = {"name": "R", "trigger": "ticket_created", "actions": [{"type": "add_tags", "tags": "x"}]}
    with pytest.raises(InvalidInputError) as err:
        rule_actions.save_rule(actor=SYSTEM, **{**base, **kwargs})
    assert err.value.code == code
    assert words in err.value.message


def test_dry_run_lists_matching_past_tickets_without_writing(clock: Any, run: Any) -> None:
    draft = rule_actions.save_rule(
        actor=SYSTEM,
        name="Draft",
        trigger="ticket_created",
        actions=[{"type": "add_tags", "tags": "printer"}],
        conditions_all=[{"field": "ticket.subject", "op": "contains", "value": "printer"}],
        active=False,
    )
    hit = run(make_ticket, subject="Printer jam")
    run(make_ticket, subject="Password reset")
    before = TicketEvent.objects.count()
    matches = rule_actions.dry_run(actor=SYSTEM, rule=draft)
    assert [m.ticket.pk for m in matches] == [hit.pk]
    assert TicketEvent.objects.count() == before
    assert not hit.tags.exists()


def test_thank_you_after_solve_is_a_rule(clock: Any, run: Any) -> None:
    rule(
        "Thank you",
        "ticket_updated",
        [{"type": "reply", "body": "Thank you, {{ customer.first_name }}! Ticket {{ ticket.reference }} is solved."}],
        conditions_all=[
            {"field": "event.kind", "op": "is", "value": "status_changed"},
            {"field": "ticket.status", "op": "is", "value": "solved"},
        ],
    )
    ticket = run(make_ticket, make_customer(name="Dawit Bekele"))
    clock.advance(hours=1)
    run(ticket_actions.update_ticket, actor=Actor.of_agent(make_agent()), ticket=ticket, status=Status.SOLVED)
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reply.body_text == f"Thank you, Dawit! Ticket #{ticket.number} is solved."
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED  # the thank-you does not reopen the ticket
