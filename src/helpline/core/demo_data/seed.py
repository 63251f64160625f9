"""Play the demo plan through the actions layers, the same road every real write takes.

Idempotent: agents are recognised by username, teams, organisations, tags and fields by name,
customers by their first identity, and tickets by the external id of their opening message
(`demo-001`, ...). A second run only adds what is missing. Each ticket's whole conversation is
written in one transaction, so an interrupted run leaves no half-told ticket behind.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from helpline.accounts import actions as account_actions
from helpline.accounts.models import Team, User
from helpline.core.actors import Actor
from helpline.core.demo_data.customers import CUSTOMERS, DemoCustomer
from helpline.core.demo_data.feedback import ensure_feedback
from helpline.core.demo_data.files import attachment
from helpline.core.demo_data.knowledge_base import ensure_knowledge_base
from helpline.core.demo_data.people import AGENTS, CUSTOM_FIELDS, LOGIN_ACCOUNTS, ORGANIZATIONS, TAGS, TEAMS, DemoAgent
from helpline.core.demo_data.plan import CUSTOMER, DEFAULT_SEED, SYSTEM, PlannedDuplicate, PlannedTicket, plan_demo
from helpline.core.errors import ConflictError
from helpline.customers import actions as customer_actions
from helpline.customers.models import Customer, CustomerIdentity, Organization
from helpline.tickets import actions as ticket_actions
from helpline.tickets import delivery_actions, merge_actions, workspace_actions
from helpline.tickets.models import CustomFieldDefinition, DeliveryStatus, Message, MessageKind, Tag, Ticket

DEMO_META = {"demo": True}
REF_PREFIX = "demo-"
# Whoever writes a customer's profile note: the desk of the customer's language.
NOTE_AUTHORS = {"en": "agent", "ka": "giorgi", "am": "selam", "mn": "bolormaa", "te": "lakshmi"}
ROLE_LABELS = {"agent": "agent", "admin": "admin", "supervisor": "supervisor", "light": "light agent"}


@dataclass(frozen=True)
class DemoLogin:
    label: str
    username: str
    password_known: bool  # False when the account predates this run and has another password


@dataclass
class DemoResult:
    created: Counter[str] = field(default_factory=Counter)
    logins: list[DemoLogin] = field(default_factory=list)
    other_agents: list[str] = field(default_factory=list)
    mailbox: str = ""  # the demo mailbox's address


class _Desk:
    """The rows the plan refers to by name, looked up or created once."""

    def __init__(self) -> None:
        self.agents: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.customers: list[Customer] = []
        self.created: set[str] = set()  # usernames of the agents created in this run

    def actor(self, username: str) -> Actor:
        return Actor.of_agent(self.agents[username])


def _create_agent(actor: User | None, spec: DemoAgent, password: str, teams: list[Team]) -> User:
    return account_actions.create_agent(
        actor=actor,
        username=spec.username,
        email=spec.email,
        password=password,
        role=spec.role,
        display_name=spec.display_name,
        language=spec.language,
        time_zone=spec.time_zone,
        teams=teams,
    )


def _ensure_agents(desk: _Desk, password: str, result: DemoResult, bar: tqdm) -> None:
    existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in AGENTS])}
    admin_spec = AGENTS[0]
    admin = existing.get(admin_spec.username)
    admin_is_new = admin is None
    if admin is None:
        admin = _create_agent(None, admin_spec, password, [])
        result.created["agents"] += 1
        desk.created.add(admin.username)
    elif not admin.is_admin:
        raise ConflictError(
            _("A user named “%(name)s” exists and is not an admin; the demo needs that name.")
            % {"name": admin_spec.username}
        )
    desk.agents[admin.username] = admin
    bar.update()

    known_teams = {t.name: t for t in Team.objects.filter(name__in=[t.name for t in TEAMS])}
    for team in TEAMS:
        if team.name not in known_teams:
            known_teams[team.name] = account_actions.create_team(
                actor=admin, name=team.name, description=team.description
            )
            result.created["teams"] += 1
    desk.teams = known_teams
    if admin_is_new:
        account_actions.update_agent(actor=admin, agent=admin, teams=[known_teams[n] for n in admin_spec.teams])

    for spec in AGENTS[1:]:
        agent = existing.get(spec.username)
        if agent is None:
            agent = _create_agent(admin, spec, password, [known_teams[n] for n in spec.teams])
            result.created["agents"] += 1
            desk.created.add(agent.username)
        desk.agents[spec.username] = agent
        bar.update()


def _ensure_settings(desk: _Desk, result: DemoResult) -> None:
    """Organisations, ticket fields and tags: what an admin sets up before the first ticket."""
    admin = desk.actor("admin")
    known_orgs = set(
        Organization.objects.filter(name__in=[o.name for o in ORGANIZATIONS]).values_list("name", flat=True)
    )
    for org in ORGANIZATIONS:
        if org.name not in known_orgs:
            customer_actions.create_organization(
                actor=admin, name=org.name, domain=org.domain, notes=org.notes, custom_attributes=org.attributes
            )
            result.created["organizations"] += 1
    known_fields = set(CustomFieldDefinition.objects.values_list("key", flat=True))
    for definition in CUSTOM_FIELDS:
        if definition["key"] not in known_fields:
            workspace_actions.define_custom_field(actor=admin, **definition)
            result.created["custom fields"] += 1
    known_tags = set(Tag.objects.filter(name__in=list(TAGS)).values_list("name", flat=True))
    for name, color in TAGS.items():
        if name not in known_tags:
            workspace_actions.create_tag(actor=admin, name=name, color=color)
            result.created["tags"] += 1


DEMO_MAILBOX = "support@helpline.localhost"


def _ensure_mailbox(desk: _Desk, result: DemoResult) -> str:
    """A mailbox of the Support team with no server of its own (made after the tickets, whose
    replies are already delivered): mail reaches it through `helpline mail import` or `helpline
    smtpd`, and its replies and acknowledgements go to the desk's email backend (DATA_DIR/outbox)."""
    from helpline.mail import actions as mail_actions
    from helpline.mail.models import Mailbox

    if not Mailbox.objects.filter(email_address=DEMO_MAILBOX).exists():
        mail_actions.save_mailbox(
            actor=desk.actor("admin"), name="Support", email_address=DEMO_MAILBOX, team=desk.teams["Support"]
        )
        result.created["mailbox"] += 1  # one: "1 mailbox"
    return DEMO_MAILBOX


def _find_customer(spec: DemoCustomer) -> Customer | None:
    kind, value = spec.identities[0]
    identity = (
        CustomerIdentity.objects.select_related("customer")
        .filter(kind=kind, value=customer_actions.normalize_identity(kind, value))
        .first()
    )
    if identity is None:
        return None
    customer = identity.customer
    while customer.merged_into_id and customer.merged_into is not None:
        customer = customer.merged_into
    return customer


def _ensure_customers(desk: _Desk, result: DemoResult, bar: tqdm, since: dict[int, dt.datetime]) -> None:
    for index, spec in enumerate(CUSTOMERS):
        customer = _find_customer(spec)
        if customer is None:
            customer = customer_actions.create_customer(
                actor=desk.actor("admin"),
                name=spec.name,
                identities=spec.identities,
                language=spec.language,
                time_zone=spec.time_zone,
                preferred_channel=spec.preferred_channel,
                custom_attributes={**spec.attributes, **({"vip": True} if spec.vip else {})},
                created_at=since.get(index),
            )
            if spec.note:
                customer_actions.add_customer_note(
                    actor=desk.actor(NOTE_AUTHORS[spec.language]), customer=customer, body=spec.note
                )
            result.created["customers"] += 1
        desk.customers.append(customer)
        bar.update()


def _open_duplicate(desk: _Desk, planned: PlannedTicket, duplicate: PlannedDuplicate, opened: dt.datetime) -> Ticket:
    customer = desk.customers[planned.customer]
    return ticket_actions.open_ticket(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject=planned.subject,
        body_text=duplicate.text,
        channel=duplicate.channel,
        priority=planned.priority,
        tags=["repeat-contact"],
        external_id=duplicate.ref,
        meta=DEMO_META,
        created_at=opened + duplicate.offset,
    )


def _play_ticket(desk: _Desk, planned: PlannedTicket, now: dt.datetime) -> None:
    customer = desk.customers[planned.customer]
    opened = now - planned.age
    ticket = ticket_actions.open_ticket(
        # Tickets from the online shop's order system arrive through the API, not from the customer.
        actor=Actor.system("Online shop") if planned.channel == "api" else Actor.of_customer(customer),
        requester=customer,
        subject=planned.subject,
        body_text=planned.opening,
        channel=planned.channel,
        priority=planned.priority,
        ticket_type=planned.ticket_type,
        assignee=desk.agents[planned.assignee] if planned.assignee else None,
        team=desk.teams[planned.team] if planned.team else None,
        tags=planned.tags,
        custom_fields=planned.custom_fields,
        external_id=planned.ref,
        meta=DEMO_META,
        created_at=opened,
    )
    duplicate = planned.duplicate
    again: Ticket | None = None
    for message in planned.messages:
        if duplicate is not None and again is None and duplicate.offset <= message.offset:
            again = _open_duplicate(desk, planned, duplicate, opened)
        if message.author == CUSTOMER:
            actor = Actor.of_customer(customer)
        elif message.author == SYSTEM:
            actor = Actor.system("automation")
        else:
            actor = desk.actor(message.author)
        added = ticket_actions.add_message(
            actor=actor,
            ticket=ticket,
            kind=message.kind,
            body_text=message.text,
            channel=message.channel,
            attachments=attachment(message.attachment, planned.custom_fields.get("order_number", "")),
            meta=DEMO_META,
            new_status=message.new_status,
            created_at=opened + message.offset,
        )
        if message.kind == MessageKind.REPLY:
            # Demo replies count as delivered long ago, so nothing tries to send them now.
            delivered = DeliveryStatus.SENT if added.channel == "post" else DeliveryStatus.DELIVERED
            delivery_actions.set_delivery_status(
                actor=Actor.system(added.channel), message=added, status=delivered, at=added.created_at
            )
    if duplicate is not None:
        if again is None:
            again = _open_duplicate(desk, planned, duplicate, opened)
        merger = desk.actor(planned.assignee or "supervisor")
        merge_actions.merge_tickets(actor=merger, source=again, target=ticket)


def _tickets_by_ref(refs: list[str]) -> dict[str, Ticket]:
    messages = Message.objects.filter(external_id__in=refs).select_related("ticket")
    return {m.external_id: m.ticket for m in messages}


def seed_demo(
    *, password: str, seed: int = DEFAULT_SEED, show_progress: bool = False, now: dt.datetime | None = None
) -> DemoResult:
    """Seed (or top up) the demo desk. `password` is set on every demo account created now."""
    now = now or timezone.now()
    plan = plan_demo(seed)
    result = DemoResult()
    desk = _Desk()
    total = len(AGENTS) + len(CUSTOMERS) + len(plan.tickets) + 3
    with tqdm(total=total, desc="Demo desk", unit="step", disable=not show_progress, file=sys.stderr) as bar:
        _ensure_agents(desk, password, result, bar)
        _ensure_settings(desk, result)
        # A customer's profile dates from a day before their first ticket.
        since: dict[int, dt.datetime] = {}
        for planned in plan.tickets:
            first = now - planned.age - dt.timedelta(days=1)
            since[planned.customer] = min(since.get(planned.customer, first), first)
        _ensure_customers(desk, result, bar, since)
        done = set(Message.objects.filter(external_id__startswith=REF_PREFIX).values_list("external_id", flat=True))
        for planned in plan.tickets:
            if planned.ref not in done:
                with transaction.atomic():
                    _play_ticket(desk, planned, now)
                result.created["tickets"] += 1
            bar.update()
        linked = _tickets_by_ref([ref for link in plan.links for ref in (link.source, link.target)])
        for link in plan.links:
            source, target = linked.get(link.source), linked.get(link.target)
            if source is not None and target is not None:
                merge_actions.link_tickets(actor=desk.actor("supervisor"), source=source, target=target, kind=link.kind)
        bar.update()
        demo_tickets = list(
            Ticket.objects.filter(messages__external_id__startswith=REF_PREFIX).distinct().select_related("requester")
        )
        result.created["CSAT answers"] += ensure_feedback(demo_tickets, desk.agents["supervisor"], seed, now)
        bar.update()
        english = [c for c in desk.customers if c.language == "en"]
        result.created.update(ensure_knowledge_base(desk.agents["admin"], english))
        bar.update()

    result.mailbox = _ensure_mailbox(desk, result)
    for username in LOGIN_ACCOUNTS:
        known = username in desk.created or desk.agents[username].check_password(password)
        result.logins.append(DemoLogin(ROLE_LABELS[username], username, known))
    result.other_agents = [a.username for a in AGENTS if a.username not in LOGIN_ACCOUNTS]
    return result
