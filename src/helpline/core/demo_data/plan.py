"""The demo desk's tickets, planned from a seed: the same seed always gives the same desk.

Planning is pure (no database): who writes about what, through which channel, how long ago, who
answers, and how far each conversation got. `seed.py` then plays the plan through the actions.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from helpline.core.demo_data.customers import CUSTOMERS, DemoCustomer
from helpline.core.demo_data.people import AGENTS, DESK_BY_LANGUAGE, REGIONS, DemoAgent
from helpline.core.demo_data.stories import (
    AMOUNTS,
    AUTO_CLOSE_NOTE,
    LANGUAGES,
    LIGHT_AGENT_NOTES,
    NUDGES,
    SUPERVISOR_NOTES,
    TOPICS,
    TOPICS_BY_KEY,
    Topic,
    story,
)

DEFAULT_SEED = 20240917
CUSTOMER = "customer"
SYSTEM = "system"
# How many tickets each of a language's eight customers opens: some write once, some keep coming back.
TICKETS_PER_CUSTOMER = (6, 4, 3, 3, 3, 2, 2, 1)
ONE_TOUCH_SHARE = 0.3
PRIORITIES = ("low", "normal", "high", "urgent")
AGENTS_BY_USERNAME = {a.username: a for a in AGENTS}


@dataclass
class PlannedMessage:
    kind: str  # "inbound", "reply" or "note"
    author: str  # CUSTOMER, SYSTEM or an agent's username
    text: str
    offset: dt.timedelta  # after the ticket was opened
    new_status: str | None = None
    channel: str | None = None
    attachment: str = ""  # "photo" or "documents"


@dataclass
class PlannedDuplicate:
    """The same customer writing again through another channel; merged into the original ticket."""

    ref: str
    channel: str
    text: str
    offset: dt.timedelta


@dataclass
class PlannedTicket:
    ref: str  # the external id of the opening message: how a second run recognises the ticket
    customer: int  # index into CUSTOMERS
    language: str
    topic: str
    channel: str
    subject: str
    opening: str
    age: dt.timedelta  # how long before "now" the ticket was opened
    flow: str  # the status the conversation ends in
    assignee: str | None
    team: str | None
    priority: str
    ticket_type: str
    tags: list[str]
    custom_fields: dict[str, Any]
    messages: list[PlannedMessage] = field(default_factory=list)
    duplicate: PlannedDuplicate | None = None


@dataclass
class PlannedLink:
    source: str
    target: str
    kind: str


@dataclass
class DemoPlan:
    tickets: list[PlannedTicket]
    links: list[PlannedLink]


def _weighted(rng: random.Random, options: dict[str, int]) -> str:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def _reachable_channels(customer: DemoCustomer) -> set[str]:
    if customer.preferred_channel == "post":
        return {"post", "phone"}
    kinds = customer.identity_kinds
    channels = {"web", "portal", "chat", "api"}
    if "email" in kinds:
        channels.add("email")
    if "phone" in kinds:
        channels |= {"phone", "sms"}
    channels |= kinds & {"whatsapp", "telegram", "messenger"}
    return channels


def _pick_channel(rng: random.Random, customer: DemoCustomer, topic: Topic) -> str:
    reachable = _reachable_channels(customer)
    candidates = sorted(set(topic.channels) & reachable)
    if customer.preferred_channel in candidates and rng.random() < 0.7:
        return customer.preferred_channel
    if candidates:
        return rng.choice(candidates)
    return customer.preferred_channel


def _conversation_channels(customer: DemoCustomer, channel: str) -> tuple[str | None, str | None]:
    """(channel of the agent's replies, channel of the customer's follow-up); None means the ticket's.
    A phone call is confirmed in writing; web-form and shop tickets continue by email."""
    has_email = "email" in customer.identity_kinds
    if channel == "phone":
        if customer.preferred_channel == "post":
            return "post", None
        return ("email" if has_email else "sms"), None
    if channel in ("web", "api"):
        written = "email" if has_email else "portal"
        return written, written
    return None, None


def _flow_for_age(rng: random.Random, days: float) -> str:
    if days < 2:
        return _weighted(rng, {"new": 5, "open": 2, "pending": 1})
    if days < 8:
        return _weighted(rng, {"open": 3, "pending": 3, "on_hold": 2, "solved": 2})
    if days < 20:
        return _weighted(rng, {"solved": 4, "closed": 2, "on_hold": 1, "pending": 1, "open": 1})
    return _weighted(rng, {"closed": 12, "solved": 4, "on_hold": 1, "open": 1})


def _assignee_pool(language: str) -> dict[str, int]:
    if language == "en":
        return {"agent": 4, "admin": 1, "supervisor": 1}
    natives = {a.username: 2 if a.role == "agent" else 1 for a in AGENTS if a.language == language}
    return {**natives, "agent": 1}


def _pick_assignee(rng: random.Random, language: str, load: dict[str, int]) -> str:
    """Weighted by role, and away from whoever already has the most tickets."""
    pool = _assignee_pool(language)
    return rng.choices(list(pool), weights=[w / (1 + load.get(u, 0)) for u, w in pool.items()])[0]


def _minutes(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(low, high))


def _conversation(
    rng: random.Random,
    ticket: PlannedTicket,
    texts: dict[str, str],
    reply_channel: str | None,
    follow_channel: str | None,
) -> None:
    """Fill in the messages after the opening, ending in the ticket's planned status."""
    flow, assignee = ticket.flow, ticket.assignee
    if flow == "new" or assignee is None:
        return
    agent = AGENTS_BY_USERNAME[assignee]
    note_text = story(agent.language, ticket.topic)["note"]
    messages = ticket.messages
    noted = rng.random() < 0.35
    if noted:
        messages.append(PlannedMessage("note", assignee, note_text, _minutes(rng, 10, 90)))
    at = _minutes(rng, 100, 480) if noted else _minutes(rng, 20, 480)
    # About a third of the finished conversations are settled by the first answer (first-contact resolution).
    if flow in ("solved", "closed") and random.Random(f"{ticket.subject}|{ticket.age}").random() < ONE_TOUCH_SHARE:
        messages.append(PlannedMessage("reply", assignee, texts["closing"], at, "solved", reply_channel))
        _auto_close(rng, ticket, at)
        return
    messages.append(PlannedMessage("reply", assignee, texts["reply"], at, "pending", reply_channel))
    if flow == "pending":
        return
    at += _minutes(rng, 30, 2160)
    attachment = {"rude_courier": "photo", "customs": "documents"}.get(ticket.topic, "")
    messages.append(PlannedMessage("inbound", CUSTOMER, texts["followup"], at, None, follow_channel, attachment))
    if flow == "open":
        return
    if flow == "on_hold" or not noted:
        at += _minutes(rng, 10, 600)
        status = "on_hold" if flow == "on_hold" else None
        messages.append(PlannedMessage("note", assignee, note_text, at, status))
    if flow == "on_hold":
        return
    at += _minutes(rng, 60, 4320)
    messages.append(PlannedMessage("reply", assignee, texts["closing"], at, "solved", reply_channel))
    _auto_close(rng, ticket, at)


def _auto_close(rng: random.Random, ticket: PlannedTicket, solved_at: dt.timedelta) -> None:
    if ticket.flow == "closed":
        days = rng.randint(4, 7)
        closing = PlannedMessage(
            "note", SYSTEM, AUTO_CLOSE_NOTE.format(days=days), solved_at + dt.timedelta(days=days, minutes=5), "closed"
        )
        ticket.messages.append(closing)


def _side_notes(rng: random.Random, ticket: PlannedTicket) -> None:
    """The light agent and the supervisor chip in on some tickets with internal notes."""
    if not ticket.messages:
        return
    last = max(m.offset for m in ticket.messages)
    extra = []
    if rng.random() < 0.18:
        extra.append(PlannedMessage("note", "light", rng.choice(LIGHT_AGENT_NOTES), last * rng.uniform(0.2, 0.9)))
    if ticket.priority in ("high", "urgent") and rng.random() < 0.35:
        extra.append(PlannedMessage("note", "supervisor", rng.choice(SUPERVISOR_NOTES), last * rng.uniform(0.1, 0.8)))
    ticket.messages = sorted([*ticket.messages, *extra], key=lambda m: m.offset)


def _fit_into_age(ticket: PlannedTicket) -> None:
    """Squeeze a conversation that would end in the future into the time since it was opened."""
    offsets = [m.offset for m in ticket.messages]
    if ticket.duplicate is not None:
        offsets.append(ticket.duplicate.offset)
    if not offsets:
        return
    available = ticket.age - dt.timedelta(minutes=5)
    latest = max(offsets)
    if latest <= available:
        return
    factor = max(available, dt.timedelta(minutes=1)) / latest
    for message in ticket.messages:
        message.offset *= factor
    if ticket.duplicate is not None:
        ticket.duplicate.offset *= factor


def _plan_ticket(rng: random.Random, customer_index: int, topic: Topic, load: dict[str, int]) -> PlannedTicket:
    customer = CUSTOMERS[customer_index]
    language = customer.language
    channel = _pick_channel(rng, customer, topic)
    days = rng.random() ** 1.7 * 59.5 + 0.02
    flow = _flow_for_age(rng, days)
    assignee = None if flow == "new" else _pick_assignee(rng, language, load)
    if assignee:
        load[assignee] = load.get(assignee, 0) + 1
    desk = DESK_BY_LANGUAGE.get(language)
    team = desk if desk and rng.random() < 0.5 else topic.team

    amount_format, amounts = AMOUNTS[language]
    amount = rng.choice(amounts)
    order = f"HL-{rng.randint(100000, 999999)}"
    signer = AGENTS_BY_USERNAME[assignee].first_name if assignee else ""
    values = {"name": customer.call, "agent": signer, "order": order, "amount": amount_format.format(amount)}
    texts = {part: text.format(**values) for part, text in story(language, topic.key).items()}

    # An urgent case now and then, and VIP customers one step up.
    rank = PRIORITIES.index(topic.priority) + (rng.random() < 0.15) + customer.vip
    priority = PRIORITIES[min(rank, len(PRIORITIES) - 1)]
    fields: dict[str, Any] = {}
    if topic.has_order:
        fields["order_number"] = order
    if topic.has_region:
        fields["delivery_region"] = rng.choice(REGIONS[language])
    if topic.has_refund:
        fields["refund_amount"] = amount
    if customer.vip:
        fields["vip"] = True
    ticket = PlannedTicket(
        ref="",
        customer=customer_index,
        language=language,
        topic=topic.key,
        channel=channel,
        subject=texts["subject"],
        opening=texts["opening"],
        age=dt.timedelta(days=days),
        flow=flow,
        assignee=assignee,
        team=team,
        priority=priority,
        ticket_type=topic.ticket_type,
        tags=[*topic.tags, *(("vip",) if customer.vip else ())],
        custom_fields=fields,
    )
    reply_channel, follow_channel = _conversation_channels(customer, channel)
    _conversation(rng, ticket, texts, reply_channel, follow_channel)
    _side_notes(rng, ticket)
    return ticket


def _plan_duplicates(rng: random.Random, tickets: list[PlannedTicket]) -> None:
    candidates = [t for t in tickets if t.flow in ("open", "on_hold", "solved", "closed")]
    for ticket in rng.sample(candidates, min(6, len(candidates))):
        customer = CUSTOMERS[ticket.customer]
        reachable = _reachable_channels(customer) - {ticket.channel, "api", "post"}
        others = sorted(reachable & (customer.identity_kinds | {"sms"})) or sorted(reachable)
        if not others:
            continue
        first_reply = next(m.offset for m in ticket.messages if m.kind == "reply")
        ticket.duplicate = PlannedDuplicate(
            ref=f"{ticket.ref}-again",
            channel=rng.choice(others),
            text=NUDGES[ticket.language],
            offset=first_reply * rng.uniform(0.4, 0.8),
        )


def _plan_links(rng: random.Random, tickets: list[PlannedTicket]) -> list[PlannedLink]:
    """Tickets about the same thing in the same region are related; router faults share a parent."""
    groups: dict[tuple[str, str], list[PlannedTicket]] = {}
    for ticket in tickets:
        groups.setdefault((ticket.language, ticket.topic), []).append(ticket)
    pairs = sorted(k for k, group in groups.items() if len(group) >= 2 and TOPICS_BY_KEY[k[1]].has_region)
    links = []
    for key in rng.sample(pairs, min(7, len(pairs))):
        first, second = groups[key][:2]
        kind = "parent" if key[1] == "broken_router" else "related"
        links.append(PlannedLink(source=second.ref, target=first.ref, kind=kind))
    return links


def plan_demo(seed: int = DEFAULT_SEED) -> DemoPlan:
    rng = random.Random(seed)
    tickets: list[PlannedTicket] = []
    for language in LANGUAGES:
        customers = [i for i, c in enumerate(CUSTOMERS) if c.language == language]
        counts = list(TICKETS_PER_CUSTOMER)
        rng.shuffle(counts)
        writers = [index for index, count in zip(customers, counts, strict=True) for _ in range(count)]
        topics = [t for t in TOPICS for _ in range(2)] + rng.sample(list(TOPICS), len(writers) - 2 * len(TOPICS))
        rng.shuffle(topics)
        load: dict[str, int] = {}
        tickets += [_plan_ticket(rng, writer, topic, load) for writer, topic in zip(writers, topics, strict=True)]
    # Oldest first, so ticket numbers grow with time as they would on a real desk.
    tickets.sort(key=lambda t: t.age, reverse=True)
    for number, ticket in enumerate(tickets, start=1):
        ticket.ref = f"demo-{number:03d}"
    _plan_duplicates(rng, tickets)
    for ticket in tickets:
        _fit_into_age(ticket)
    return DemoPlan(tickets=tickets, links=_plan_links(rng, tickets))


def agent_for(username: str) -> DemoAgent:
    return AGENTS_BY_USERNAME[username]
