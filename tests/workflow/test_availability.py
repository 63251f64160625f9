"""One availability profile per agent, read by chat routing and ticket routing alike: the status an
agent sets in the chat panel governs tickets too; capacities, skills (languages included), working
hours and the team's strategy apply to chats as to tickets; VIP customers go first in both queues."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from helpline.chat import actions as chat_actions
from helpline.chat import agent_context, selectors
from helpline.chat.assignment import route_waiting_chats
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.customers.models import Channel
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket
from helpline.workflow import availability, routing_actions, sla_actions
from helpline.workflow.models import AgentRouting, Availability
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def set_status(agent: Any, status: str, chats: int | None = None) -> Any:
    chat_actions.set_chat_status(actor=Actor.of_agent(agent), status=status, capacity=chats)
    return agent


def routed(run: Any, team: Any) -> int | None:
    """Open a ticket for the team (its events delivered, as the worker would) and say who got it."""
    ticket = run(make_ticket, team=team)
    ticket.refresh_from_db()
    return ticket.assignee_id


def start_chat(*, language: str = "", customer_tier: str = "") -> Ticket:
    visitor = visitor_from_token(new_visitor_token())
    assert visitor
    if language:
        chat_actions.identify_visitor(visitor_id=visitor, language=language)
    message, conversation = chat_actions.post_visitor_message(visitor_id=visitor, client_id="c1", body="Hello")
    if customer_tier:
        customer = message.ticket.requester
        customer.custom_attributes = {"tier": customer_tier}
        customer.save(update_fields=["custom_attributes"])
    return Ticket.objects.get(pk=message.ticket_id)


def test_the_chat_status_is_the_one_ticket_routing_reads(run: Any) -> None:
    online, offline, away = make_agent(), make_agent(), make_agent()
    team = make_team(members=[online, offline, away])
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="least_loaded", respect_working_hours=False)
    set_status(online, Availability.ONLINE)
    set_status(away, Availability.AWAY)
    # tickets: online and offline agents take them (least loaded), the away agent never
    owners = [routed(run, team) for _ in range(4)]
    assert sorted(owners) == sorted([online.pk, offline.pk] * 2) and away.pk not in owners
    # chats: only the online agent
    assert {start_chat().assignee_id for _ in range(2)} == {online.pk}
    # the admin's routing page and the agent's chat panel show and set the same record
    routing_actions.save_agent_routing(actor=SYSTEM, agent=online, status=Availability.AWAY)
    client = Client()
    client.force_login(online)
    assert client.get("/chat/status/", HTTP_ACCEPT="application/json").json()["status"] == "away"
    assert routed(run, team) == offline.pk
    assert start_chat().assignee_id is None


def test_chat_and_ticket_loads_count_against_their_own_capacities(run: Any) -> None:
    agent = set_status(make_agent(), Availability.ONLINE, chats=1)
    team = make_team(members=[agent])
    routing_actions.save_team_routing(
        actor=SYSTEM, team=team, strategy="least_loaded", default_capacity=1, respect_working_hours=False
    )
    assert start_chat().assignee_id == agent.pk
    assert start_chat().assignee_id is None  # one chat at a time
    assert routed(run, team) == agent.pk  # the chat does not fill the ticket capacity
    assert routed(run, team) is None
    status, open_chats, capacity = availability.chat_load(agent)
    assert (status, open_chats, capacity) == (Availability.ONLINE, 1, 1)


def test_chat_routing_uses_the_team_strategy_and_language_skills() -> None:
    english = set_status(make_agent(language="en"), Availability.ONLINE)
    georgian_speaker = set_status(make_agent(language="en"), Availability.ONLINE)
    routing_actions.save_agent_routing(actor=SYSTEM, agent=georgian_speaker, skills="lang:ka, channel:chat")
    team = make_team(members=[english, georgian_speaker])
    # without team routing: least busy, speakers of the language first (a lang: skill counts)
    assert availability.pick_chat_agent(language="ka") == georgian_speaker
    assert availability.pick_chat_agent(language="en") == english
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="round_robin", respect_working_hours=False)
    picks = [availability.pick_chat_agent(language="ka", team=team) for _ in range(4)]
    assert picks == [english, georgian_speaker, english, georgian_speaker]  # turns, whatever the language
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="skills", respect_working_hours=False)
    assert availability.pick_chat_agent(language="ka", team=team) == georgian_speaker
    assert availability.pick_chat_agent(language="ka", team=team, exclude=[georgian_speaker.pk]) == english


def test_working_hours_keep_chats_and_tickets_away_after_the_shift(run: Any, clock: Any) -> None:
    night = sla_actions.save_calendar(
        actor=SYSTEM,
        name="Night shift",
        time_zone="UTC",
        shifts=[{"weekday": d, "start": "22:00", "end": "06:00"} for d in range(7)],
    )
    agent = set_status(make_agent(), Availability.ONLINE)
    routing_actions.save_agent_routing(actor=SYSTEM, agent=agent, calendar=night)
    team = make_team(members=[agent])
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="least_loaded")
    clock.set(dt.datetime(2025, 1, 6, 12, 0, tzinfo=dt.UTC))  # Monday noon: off shift
    assert availability.pick_chat_agent() is None and routed(run, team) is None
    assert agent_context.transfer_targets(make_ticket(channel=Channel.CHAT))[0] == []
    clock.set(dt.datetime(2025, 1, 6, 23, 30, tzinfo=dt.UTC))  # on the overnight shift
    assert availability.pick_chat_agent() == agent and routed(run, team) == agent.pk


def test_vip_chats_are_served_first(run: Any) -> None:
    team = make_team()
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="least_loaded", vip_tiers="gold")
    first, vip = start_chat(), start_chat(customer_tier="gold")
    tagged = start_chat()
    ticket_actions.update_ticket(actor=SYSTEM, ticket=tagged, add_tags=["vip"])
    assert list(selectors.waiting_chats().values_list("pk", flat=True)) == [vip.pk, tagged.pk, first.pk]
    agent = set_status(make_agent(), Availability.AWAY, chats=2)
    AgentRouting.objects.filter(agent=agent).update(status=Availability.ONLINE)
    assert route_waiting_chats() == 2
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {vip.pk, tagged.pk}


def test_going_online_hands_over_queued_tickets(run: Any, django_capture_on_commit_callbacks: Any) -> None:
    agent = set_status(make_agent(), Availability.AWAY)
    team = make_team(members=[agent])
    routing_actions.save_team_routing(actor=SYSTEM, team=team, strategy="least_loaded", respect_working_hours=False)
    queued = run(make_ticket, team=team, requester=make_customer())
    queued.refresh_from_db()
    assert queued.assignee_id is None
    with django_capture_on_commit_callbacks(execute=True):
        set_status(agent, Availability.ONLINE)
    queued.refresh_from_db()
    assert queued.assignee_id == agent.pk


def test_bad_availability_is_refused() -> None:
    agent, other = make_agent(), make_agent()
    with pytest.raises(InvalidInputError) as bad_status:
        set_status(agent, "dancing")
    assert bad_status.value.code == "invalid_status"
    with pytest.raises(InvalidInputError):
        set_status(agent, Availability.ONLINE, chats=0)
    with pytest.raises(NotPermittedError):
        availability.set_availability(actor=Actor.of_agent(agent), agent=other, status=Availability.ONLINE)
    assert not AgentRouting.objects.filter(agent=other).exists()
