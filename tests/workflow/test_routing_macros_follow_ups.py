"""Routing strategies, macros with placeholders and language variants, follow-up reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Message, MessageKind, Status, TicketEvent
from helpline.workflow import follow_ups, macros, routing_actions, sla_actions, sweep
from helpline.workflow.models import FollowUp
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def team_with(n: int, strategy: str, **kwargs: Any) -> tuple[Any, list[Any]]:
    agents = [make_agent() for _ in range(n)]
    team = make_team(members=agents)
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy=strategy, **kwargs)
    return team, agents


def test_round_robin_takes_turns_and_skips_unavailable(clock: Any, run: Any) -> None:
    team, (a, b, c) = team_with(3, "round_robin")
    routing_actions.save_agent_routing(actor=Actor.of_agent(b), agent=b, status="away")
    owners = []
    for _ in range(4):
        clock.advance(minutes=1)
        ticket = run(make_ticket, team=team)
        ticket.refresh_from_db()
        owners.append(ticket.assignee)
    assert owners == [a, c, a, c]
    event = TicketEvent.objects.filter(kind="assignee_changed").first()
    assert event is not None and event.actor_label == "routing:round_robin"


def test_least_loaded_respects_capacity_and_vip_jumps_the_queue(clock: Any, run: Any) -> None:
    team, (a, b) = team_with(2, "least_loaded", default_capacity=1, vip_tiers="gold")
    first = run(make_ticket, team=team)
    second = run(make_ticket, team=team)
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.assignee, second.assignee} == {a, b}
    clock.advance(minutes=1)
    waiting = run(make_ticket, team=team)  # everyone is at capacity: it waits in the queue
    clock.advance(minutes=1)
    vip = run(make_ticket, make_customer(custom_attributes={"tier": "gold"}), team=team)
    waiting.refresh_from_db()
    vip.refresh_from_db()
    assert waiting.assignee is None
    assert vip.assignee in (a, b)  # VIP customers are routed even above capacity
    # When an agent frees up, the oldest queued ticket goes to them.
    freed = next(t for t in (first, second) if t.assignee != vip.assignee)
    owner = freed.assignee
    clock.advance(minutes=1)
    run(make_ticket, team=team)  # queued behind `waiting`
    run(ticket_actions.update_ticket, actor=Actor.of_agent(owner), ticket=freed, status=Status.SOLVED)
    waiting.refresh_from_db()
    assert waiting.assignee == owner


def test_skills_and_working_hours(clock: Any, run: Any) -> None:
    team, (en_agent, ka_agent, night) = team_with(3, "skills")
    routing_actions.save_agent_routing(actor=SYSTEM, agent=en_agent, skills="lang:en, channel:email")
    routing_actions.save_agent_routing(actor=SYSTEM, agent=ka_agent, skills=["lang:ka"])
    nights = sla_actions.save_calendar(
        actor=SYSTEM,
        name="Nights",
        time_zone="UTC",
        shifts=[{"weekday": d, "start": "22:00", "end": "06:00"} for d in range(7)],
    )
    routing_actions.save_agent_routing(actor=SYSTEM, agent=night, skills=["lang:ka", "channel:web"], calendar=nights)
    clock.set(dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC))
    georgian = run(make_ticket, make_customer(language="ka"), team=team)
    georgian.refresh_from_db()
    assert georgian.assignee == ka_agent  # the better-matching night agent is off shift
    with pytest.raises(InvalidInputError):
        routing_actions.save_agent_routing(actor=SYSTEM, agent=en_agent, skills=["cooking"])


def test_macro_placeholders_language_variants_and_actions(clock: Any, run: Any) -> None:
    admin = make_agent(Role.ADMIN, display_name="Tamar Agent")
    macro = macros.save_macro(
        actor=Actor.of_agent(admin),
        name="Shipping delay",
        body="Hi {{ customer.first_name }}, ticket {{ ticket.reference }}: your parcel is late. — {{ agent.name }}",
        variants={"ka": "გამარჯობა {{ customer.first_name }}! {{ ticket.reference }}"},
        actions=[{"type": "add_tags", "tags": "shipping"}, {"type": "set", "field": "status", "value": "pending"}],
    )
    english = run(make_ticket, make_customer(name="John Smith", language="en"))
    georgian = run(make_ticket, make_customer(name="ნინო ბერიძე", language="ka"))
    text = macros.render_macro(macro=macro, ticket=english, agent=admin)
    assert text == f"Hi John, ticket #{english.number}: your parcel is late. — Tamar Agent"
    assert macros.render_macro(macro=macro, ticket=georgian, agent=admin) == f"გამარჯობა ნინო! #{georgian.number}"
    run(macros.apply_macro, actor=Actor.of_agent(admin), ticket=english, macro=macro, send_reply=True)
    english.refresh_from_db()
    assert english.status == Status.PENDING
    assert "shipping" in english.tags.values_list("name", flat=True)
    assert Message.objects.filter(ticket=english, kind=MessageKind.REPLY, body_text=text).exists()


def test_macros_refuse_unknown_placeholders_and_stay_personal(db: Any) -> None:
    agent = make_agent()
    with pytest.raises(InvalidInputError) as err:
        macros.save_macro(actor=Actor.of_agent(agent), name="Bad", body="Hi {{ customer.nickname }}", shared=False)
    assert "customer.nickname" in err.value.message
    with pytest.raises(NotPermittedError):
        macros.save_macro(actor=Actor.of_agent(agent), name="Shared", body="Hi", shared=True)
    mine = macros.save_macro(actor=Actor.of_agent(agent), name="Mine", body="Hi", shared=False)
    assert list(macros.macros_for(agent)) == [mine]
    assert list(macros.macros_for(make_agent())) == []


def test_follow_up_reminder_is_sent_once(clock: Any, run: Any) -> None:
    agent = make_agent()
    ticket = run(make_ticket)
    due = clock() + dt.timedelta(days=2)
    task = follow_ups.create_follow_up(
        actor=Actor.of_agent(agent),
        ticket=ticket,
        agent=agent,
        title="Call back",
        due_at=due,
        remind_before=dt.timedelta(hours=1),
    )
    assert sweep.run_sweep(clock() + dt.timedelta(days=1))["follow_ups"] == 0
    assert sweep.run_sweep(due - dt.timedelta(minutes=30))["follow_ups"] == 1
    assert sweep.run_sweep(due)["follow_ups"] == 0
    assert [m.to for m in mail.outbox if "Call back" in m.subject] == [[agent.email]]
    follow_ups.complete_follow_up(actor=Actor.of_agent(agent), follow_up=task)
    assert FollowUp.objects.get(pk=task.pk).done_at is not None
    with pytest.raises(InvalidInputError):
        follow_ups.create_follow_up(
            actor=Actor.of_agent(agent), ticket=ticket, agent=agent, title="Past", due_at=clock()
        )


def test_a_rule_sets_a_follow_up_after_solving(clock: Any, run: Any) -> None:
    """Check in three days after a ticket is solved: a rule creates the assignee's follow-up task,
    which the sweep reminds them of when due."""
    from helpline.workflow import rule_actions

    agent = make_agent()
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Check in after solving",
        trigger="ticket_updated",
        conditions_all=[
            {"field": "event.kind", "op": "is", "value": "status_changed"},
            {"field": "ticket.status", "op": "is", "value": "solved"},
        ],
        actions=[{"type": "follow_up", "due_in_hours": "72", "title": "Check in on {{ ticket.reference }}"}],
        active=True,
    )
    ticket = run(make_ticket, assignee=agent)
    run(ticket_actions.update_ticket, actor=Actor.of_agent(agent), ticket=ticket, status=Status.SOLVED)
    task = FollowUp.objects.get(ticket=ticket)
    assert task.agent == agent and task.title == f"Check in on {ticket.reference}"
    assert task.due_at == clock() + dt.timedelta(hours=72)
    mail.outbox.clear()
    assert sweep.run_sweep(clock() + dt.timedelta(hours=71))["follow_ups"] == 0
    assert sweep.run_sweep(clock() + dt.timedelta(hours=72))["follow_ups"] == 1
    assert [m.to for m in mail.outbox] == [[agent.email]]
    for bad, code in (
        ({"type": "follow_up", "due_in_hours": "soon", "title": "Call"}, "invalid_due"),
        ({"type": "follow_up", "due_in_hours": "0", "title": "Call"}, "invalid_due"),
        ({"type": "follow_up", "due_in_hours": "24", "title": " "}, "title_required"),
        ({"type": "follow_up", "due_in_hours": "24", "title": "{{ ticket.nope }}"}, "unknown_placeholder"),
    ):
        with pytest.raises(InvalidInputError) as refused:
            rule_actions.save_rule(actor=SYSTEM, name="Bad follow-up", trigger="ticket_updated", actions=[bad])
        assert refused.value.code == code, bad


def test_composer_macro_picker_applies_and_returns_text(clock: Any, run: Any) -> None:
    from django.test import Client

    admin = make_agent(Role.ADMIN, display_name="Lela")
    agent = make_agent(display_name="Gio")
    shared = macros.save_macro(
        actor=Actor.of_agent(admin),
        name="Need details",
        body="Hi {{ customer.first_name }}, which model? {{ agent.name }}",
        actions=[{"type": "set", "field": "status", "value": "pending"}],
    )
    private = macros.save_macro(actor=Actor.of_agent(admin), name="Lela only", body="x", shared=False)
    ticket = run(make_ticket, make_customer(name="Ana Lomidze"))
    client = Client()
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Need details" in page and "Lela only" not in page
    response = run(client.post, f"/workflow/tickets/{ticket.number}/macros/{shared.pk}/apply/")
    assert response.status_code == 200
    assert response.json() == {"text": "Hi Ana, which model? Gio", "changed": True}
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert client.post(f"/workflow/tickets/{ticket.number}/macros/{private.pk}/apply/").status_code == 404


def test_follow_ups_on_the_ticket_page(clock: Any, run: Any) -> None:
    from django.test import Client

    agent = make_agent()
    ticket = run(make_ticket)
    client = Client()
    client.force_login(agent)
    assert "Nothing planned." in client.get(f"/tickets/{ticket.number}/").content.decode()
    response = client.post(
        f"/workflow/tickets/{ticket.number}/follow-ups/",
        {"title": "Check the delivery", "due_at": "2025-01-09T10:00", "remind_minutes": "30"},
    )
    assert response.status_code == 302
    task = FollowUp.objects.get(ticket=ticket)
    assert task.agent == agent and task.due_at - task.remind_at == dt.timedelta(minutes=30)
    assert "Check the delivery" in client.get(f"/tickets/{ticket.number}/").content.decode()
    client.post(f"/workflow/follow-ups/{task.pk}/done/")
    assert FollowUp.objects.get(pk=task.pk).done_at is not None
