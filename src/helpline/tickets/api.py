"""REST endpoints for tickets, their messages, history and links, tags and custom fields.

Thin: parse input, call one action or selector, render. Writes go through `tickets.actions`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from helpline.accounts.models import Team, User
from helpline.core.actors import Actor
from helpline.core.api_auth import actor_of, require_admin
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT, PageQuery, page_of
from helpline.core.api_schemas import (
    AgentRef,
    CustomerRef,
    DbId,
    LanguageOrBlank,
    OrganizationRef,
    PublicId,
    TeamRef,
    agent_ref,
    choice_literal,
    customer_ref,
    organization_ref,
    team_ref,
)
from helpline.core.errors import ConflictError, InvalidInputError, NotFoundError
from helpline.customers.actions import resolve_customer
from helpline.customers.models import Channel, Customer
from helpline.tickets import actions, permissions, selectors
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import (
    CustomFieldDefinition,
    FieldType,
    LinkKind,
    Message,
    MessageKind,
    Priority,
    Tag,
    Ticket,
    TicketLink,
    TicketType,
)
from helpline.tickets.models import (
    Status as TicketStatus,
)

router = Router(tags=["tickets"])
settings_router = Router(tags=["settings"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
Number = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The ticket number (`#1042` is 1042).")]
ChannelName = choice_literal(Channel)
PriorityName = choice_literal(Priority)
StatusName = choice_literal(TicketStatus)
TypeOrBlank = choice_literal(TicketType, blank=True)
TagName = Annotated[str, Field(min_length=1, max_length=60)]
SortName = Literal[tuple(selectors.SORTS)]  # type: ignore[valid-type]
MAX_ATTACHMENTS = 10


# -- schemas -------------------------------------------------------------------------------------


class TicketOut(Schema):
    number: int
    public_id: str
    subject: str
    status: str
    priority: str
    type: str = Field(..., validation_alias="ticket_type")
    channel: str
    language: str
    requester: CustomerRef
    organization: OrganizationRef | None
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    merged_into: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    last_message_at: dt.datetime | None
    first_response_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_requester(obj: Ticket) -> dict[str, Any] | None:
        return customer_ref(obj.requester)

    @staticmethod
    def resolve_organization(obj: Ticket) -> dict[str, Any] | None:
        return organization_ref(obj.organization)

    @staticmethod
    def resolve_assignee(obj: Ticket) -> dict[str, Any] | None:
        return agent_ref(obj.assignee)

    @staticmethod
    def resolve_team(obj: Ticket) -> dict[str, Any] | None:
        return team_ref(obj.team)

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        return obj.merged_into.number if obj.merged_into_id and obj.merged_into else None


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketListQuery(PageQuery):
    status: str | None = Field(None, max_length=200, description="Comma-separated statuses, or `active`.")
    priority: str | None = Field(None, max_length=200, description="Comma-separated priorities.")
    type: str | None = Field(None, max_length=200, description="Comma-separated ticket types.")
    channel: str | None = Field(None, max_length=200, description="Comma-separated channels.")
    assignee: str | None = Field(None, pattern=r"^(me|none|\d{1,18})(,(me|none|\d{1,18}))*$")
    team: str | None = Field(None, pattern=r"^(mine|none|\d{1,18})(,(mine|none|\d{1,18}))*$")
    tag: str | None = Field(None, max_length=200, description="Comma-separated tag names.")
    requester: str | None = Field(None, max_length=400, description="Customer public ids.")
    organization: str | None = Field(None, max_length=400, description="Organisation public ids.")
    language: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=200, description="Text in the subject or messages.")
    created_after: str | None = Field(None, max_length=40, description="ISO date or date-time.")
    created_before: str | None = Field(None, max_length=40, description="ISO date or date-time.")
    sort: SortName = "-updated_at"  # type: ignore[valid-type]

    @field_validator("status", "priority", "type", "channel")
    @classmethod
    def _known_values(cls, value: str | None, info: Any) -> str | None:
        if value is None:
            return None
        known = {
            "status": {*TicketStatus.values, "active"},
            "priority": set(Priority.values),
            "type": set(TicketType.values),
            "channel": set(Channel.values),
        }[info.field_name]
        unknown = [v for v in value.split(",") if v and v not in known]
        if unknown:
            raise ValueError(_("unknown value: %(values)s") % {"values": ", ".join(unknown)})
        return value

    @field_validator("created_after", "created_before")
    @classmethod
    def _when(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            parsed = parse_datetime(value) or dt.datetime.combine(dt.date.fromisoformat(value), dt.time.min)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            parsed = parsed.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise ValueError(_("must be an ISO date (YYYY-MM-DD) or date-time")) from None
        return parsed.isoformat()

    def filters(self) -> dict[str, Any]:
        names = ("status", "priority", "channel", "assignee", "team", "tag", "requester", "organization", "language")
        found: dict[str, Any] = {name: getattr(self, name) for name in names if getattr(self, name)}
        if self.type:
            found["ticket_type"] = self.type
        for name in ("q", "created_after", "created_before"):
            if getattr(self, name):
                found[name] = getattr(self, name)
        return found


class AttachmentIn(Schema):
    filename: str = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=1, description="The file's bytes, base64-encoded.")


class AttachmentOut(Schema):
    public_id: str
    filename: str
    content_type: str
    size: int


class TicketCreateIn(Schema):
    requester: PublicId | None = Field(None, description="The requester's customer public id ...")
    requester_email: str | None = Field(
        None, max_length=254, description="... or email (created if new).", examples=["maria@example.com"]
    )
    requester_name: str = Field("", max_length=200, examples=["Maria Rossi"])
    subject: str = Field("", max_length=250, examples=["The printer is on fire"])
    body_text: str = Field("", max_length=200_000, examples=["It started smoking this morning."])
    body_html: str = Field("", max_length=400_000)
    message_kind: choice_literal(MessageKind) = "inbound"  # type: ignore[valid-type]
    channel: ChannelName = "api"  # type: ignore[valid-type]
    priority: PriorityName = "normal"  # type: ignore[valid-type]
    type: TypeOrBlank = ""  # type: ignore[valid-type]
    status: StatusName | None = None  # type: ignore[valid-type]
    assignee_id: DbId | None = None
    team_id: DbId | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    language: LanguageOrBlank = ""  # type: ignore[valid-type]
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class TicketPatchIn(Schema):
    subject: str | None = Field(None, min_length=1, max_length=250)
    status: StatusName | None = None  # type: ignore[valid-type]
    priority: PriorityName | None = None  # type: ignore[valid-type]
    type: TypeOrBlank | None = None  # type: ignore[valid-type]
    assignee_id: DbId | None = Field(None, description="An agent id; null unassigns.")
    team_id: DbId | None = Field(None, description="A team id; null removes the team.")
    tags: list[TagName] | None = Field(None, max_length=50, description="Replaces all tags.")
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)
    remove_tags: list[TagName] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] | None = None
    language: LanguageOrBlank | None = None  # type: ignore[valid-type]


class MergeIn(Schema):
    into: DbId = Field(..., description="Number of the ticket that absorbs this one.")


class LinkIn(Schema):
    ticket: DbId = Field(..., description="Number of the ticket to link.")
    kind: choice_literal(LinkKind) = "related"  # type: ignore[valid-type]


class LinkOut(Schema):
    ticket: int
    subject: str
    status: str
    kind: str
    direction: str = Field(..., description="`outgoing` (this ticket links the other) or `incoming`.")


class Author(Schema):
    type: str = Field(..., description="`agent`, `customer` or `system`.")
    id: int | None = None
    public_id: str | None = None
    name: str


class MessageOut(Schema):
    public_id: str
    kind: str
    channel: str
    author: Author
    body_text: str
    body_html: str
    delivery_status: str
    attachments: list[AttachmentOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Message) -> dict[str, Any]:
        if obj.author_agent_id and obj.author_agent is not None:
            return {"type": "agent", "id": obj.author_agent_id, "name": str(obj.author_agent)}
        if obj.author_customer_id and obj.author_customer is not None:
            customer = obj.author_customer
            return {"type": "customer", "public_id": customer.public_id, "name": customer.name or customer.public_id}
        return {"type": "system", "name": _("System")}

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageIn(Schema):
    kind: choice_literal(MessageKind) = Field("reply", description="`reply` or `note`.")  # type: ignore[valid-type]
    body_text: str = Field("", max_length=200_000)
    body_html: str = Field("", max_length=400_000)
    new_status: StatusName | None = None  # type: ignore[valid-type]
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class EventOut(Schema):
    id: int
    kind: str
    actor: Author
    message: str | None
    before: Any
    after: Any
    data: dict[str, Any]
    created_at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> dict[str, Any]:
        if obj.actor_agent_id and obj.actor_agent is not None:
            return {"type": "agent", "id": obj.actor_agent_id, "name": str(obj.actor_agent)}
        if obj.actor_customer_id and obj.actor_customer is not None:
            customer = obj.actor_customer
            return {"type": "customer", "public_id": customer.public_id, "name": customer.name or customer.public_id}
        return {"type": "system", "name": obj.actor_label or _("System")}

    @staticmethod
    def resolve_message(obj: Any) -> str | None:
        return obj.message.public_id if obj.message_id and obj.message else None


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


class TagOut(Schema):
    name: str
    color: str


class TagIn(Schema):
    name: TagName
    color: str = Field("#6b7280", pattern=r"^#[0-9a-fA-F]{6}$")


class CustomFieldOut(Schema):
    key: str
    label: str
    field_type: str
    choices: list[Any]
    required: bool
    active: bool
    position: int


class CustomFieldIn(Schema):
    label: str = Field(..., min_length=1, max_length=100)
    field_type: choice_literal(FieldType) = "text"  # type: ignore[valid-type]
    choices: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=200)
    required: bool = False
    active: bool = True
    position: int = Field(0, ge=0, le=2_147_483_647)


class CustomFieldCreateIn(CustomFieldIn):
    key: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")


# -- helpers -------------------------------------------------------------------------------------


def decode_attachments(items: list[AttachmentIn]) -> list[IncomingFile]:
    files = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInputError(
                _("Attachment %(name)s is not valid base64.") % {"name": item.filename},
                code="invalid_attachment",
                details={"fields": {f"attachments.{index}.content_base64": _("not valid base64")}},
            ) from None
        files.append(IncomingFile(filename=item.filename, content=content))
    return files


def _api_list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return (
        selectors.with_list_relations(qs)
        .select_related("organization", "merged_into")
        .prefetch_related("requester__identities")
    )


def _ticket(request: HttpRequest, number: int) -> Ticket:
    return selectors.get_ticket(actor=actor_of(request), number=number)


def _ticket_out(actor: Actor, number: int) -> Ticket:
    ticket = _api_list_relations(selectors.visible_tickets(actor)).filter(number=number).first()
    if ticket is None:
        raise NotFoundError(_("No such ticket."))
    return ticket


def _agent(agent_id: int | None, field: str) -> User | None:
    if agent_id is None:
        return None
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None:
        raise InvalidInputError(
            _("There is no active agent with id %(id)s.") % {"id": agent_id},
            code="invalid_assignee",
            details={"fields": {field: _("unknown agent")}},
        )
    return agent


def _team(team_id: int | None, field: str) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise InvalidInputError(
            _("There is no team with id %(id)s.") % {"id": team_id},
            code="invalid_team",
            details={"fields": {field: _("unknown team")}},
        )
    return team


def _requester(payload: TicketCreateIn) -> Customer:
    if payload.requester:
        customer = Customer.objects.select_related("merged_into").filter(public_id=payload.requester).first()
        if customer is None:
            raise InvalidInputError(
                _("There is no customer %(id)s.") % {"id": payload.requester},
                code="invalid_requester",
                details={"fields": {"requester": _("unknown customer")}},
            )
        return customer.merged_into if customer.merged_into_id and customer.merged_into else customer
    if payload.requester_email:
        customer, _created = resolve_customer(
            kind="email", value=payload.requester_email, name=payload.requester_name, channel=Channel.API
        )
        return customer
    raise InvalidInputError(
        _("Give the requester as a customer public id or an email address."),
        code="requester_required",
        details={"fields": {"requester": _("required")}},
    )


# -- tickets -------------------------------------------------------------------------------------


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="List tickets")
def list_tickets(request: HttpRequest, query: Query[TicketListQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    qs = selectors.filter_tickets(selectors.visible_tickets(actor), query.filters(), agent=actor.agent)
    page = page_of(_api_list_relations(qs), sort=query.sort, cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/tickets", response={201: TicketOut, **ERRORS}, summary="Open a ticket for a requester")
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> Status:
    actor = actor_of(request)
    permissions.require(permissions.can_update(actor, Ticket()))
    assignee = _agent(payload.assignee_id, "assignee_id")
    team = _team(payload.team_id, "team_id")
    files = decode_attachments(payload.attachments)
    requester = _requester(payload)
    ticket = actions.open_ticket(
        actor=actor,
        requester=requester,
        subject=payload.subject,
        body_text=payload.body_text,
        body_html=payload.body_html,
        channel=payload.channel,
        message_kind=payload.message_kind,
        priority=payload.priority,
        ticket_type=payload.type,
        status=payload.status,
        assignee=assignee,
        team=team,
        tags=payload.tags,
        custom_fields=payload.custom_fields,
        language=payload.language,
        attachments=files,
    )
    return Status(201, _ticket_out(actor, ticket.number))


@router.get("/tickets/{number}", response={200: TicketOut, **ERRORS}, summary="Get a ticket by number")
def get_ticket(request: HttpRequest, number: Number) -> Ticket:
    return _ticket_out(actor_of(request), number)


@router.patch("/tickets/{number}", response={200: TicketOut, **ERRORS}, summary="Change a ticket")
def update_ticket(request: HttpRequest, number: Number, payload: TicketPatchIn) -> Ticket:
    actor = actor_of(request)
    ticket = _ticket(request, number)
    sent = payload.model_fields_set
    changes: dict[str, Any] = {}
    for name in ("subject", "status", "priority", "language"):
        if name in sent and getattr(payload, name) is not None:
            changes[name] = getattr(payload, name)
    if "type" in sent and payload.type is not None:
        changes["ticket_type"] = payload.type
    if "assignee_id" in sent:
        changes["assignee"] = _agent(payload.assignee_id, "assignee_id")
    if "team_id" in sent:
        changes["team"] = _team(payload.team_id, "team_id")
    if "tags" in sent and payload.tags is not None:
        changes["tags"] = payload.tags
    if "custom_fields" in sent and payload.custom_fields is not None:
        changes["custom_fields"] = payload.custom_fields
    actions.update_ticket(
        actor=actor, ticket=ticket, add_tags=payload.add_tags, remove_tags=payload.remove_tags, **changes
    )
    return _ticket_out(actor, number)


@router.post("/tickets/{number}/merge", response={200: TicketOut, **ERRORS}, summary="Merge into another ticket")
def merge_ticket(request: HttpRequest, number: Number, payload: MergeIn) -> Ticket:
    actor = actor_of(request)
    source = _ticket(request, number)
    target = selectors.visible_tickets(actor).filter(number=payload.into).first()
    if target is None:
        raise InvalidInputError(
            _("There is no ticket #%(number)s.") % {"number": payload.into},
            code="invalid_ticket",
            details={"fields": {"into": _("unknown ticket")}},
        )
    merged = actions.merge_tickets(actor=actor, source=source, target=target)
    return _ticket_out(actor, merged.number)


# -- links ---------------------------------------------------------------------------------------


def _link_rows(ticket: Ticket) -> list[dict[str, Any]]:
    links = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related("source", "target")
    rows = []
    for link in links.order_by("created_at", "id"):
        outgoing = link.source_id == ticket.pk
        other = link.target if outgoing else link.source
        rows.append(
            {
                "ticket": other.number,
                "subject": other.subject,
                "status": other.status,
                "kind": link.kind,
                "direction": "outgoing" if outgoing else "incoming",
            }
        )
    return rows


@router.get("/tickets/{number}/links", response={200: list[LinkOut], **ERRORS}, summary="Linked tickets")
def list_links(request: HttpRequest, number: Number) -> list[dict[str, Any]]:
    return _link_rows(_ticket(request, number))


@router.post("/tickets/{number}/links", response={201: list[LinkOut], **ERRORS}, summary="Link another ticket")
def add_link(request: HttpRequest, number: Number, payload: LinkIn) -> Status:
    actor = actor_of(request)
    source = _ticket(request, number)
    target = selectors.visible_tickets(actor).filter(number=payload.ticket).first()
    if target is None:
        raise InvalidInputError(
            _("There is no ticket #%(number)s.") % {"number": payload.ticket},
            code="invalid_ticket",
            details={"fields": {"ticket": _("unknown ticket")}},
        )
    actions.link_tickets(actor=actor, source=source, target=target, kind=payload.kind)
    return Status(201, _link_rows(source))


@router.delete("/tickets/{number}/links/{other}", response={204: None, **ERRORS}, summary="Remove a link")
def remove_link(request: HttpRequest, number: Number, other: Number) -> Status:
    actor = actor_of(request)
    source = _ticket(request, number)
    target = _ticket(request, other)
    actions.unlink_tickets(actor=actor, source=source, target=target)
    return Status(204, None)


# -- messages and history ------------------------------------------------------------------------


@router.get("/tickets/{number}/messages", response={200: MessagePage, **ERRORS}, summary="A ticket's thread")
def list_messages(request: HttpRequest, number: Number, query: Query[PageQuery]) -> dict[str, Any]:
    ticket = _ticket(request, number)
    qs = selectors.ticket_messages(ticket, include_notes=True)
    page = page_of(qs, sort="created_at", cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/tickets/{number}/messages", response={201: MessageOut, **ERRORS}, summary="Reply or add an internal note"
)
def add_message(request: HttpRequest, number: Number, payload: MessageIn) -> Status:
    actor = actor_of(request)
    ticket = _ticket(request, number)
    if payload.kind == MessageKind.INBOUND:
        raise InvalidInputError(
            _("Agents reply or add notes; customer messages come from customers."),
            code="invalid_kind",
            details={"fields": {"kind": _("must be reply or note")}},
        )
    message = actions.add_message(
        actor=actor,
        ticket=ticket,
        kind=payload.kind,
        body_text=payload.body_text,
        body_html=payload.body_html,
        attachments=decode_attachments(payload.attachments),
        new_status=payload.new_status,
    )
    return Status(201, selectors.ticket_messages(ticket, include_notes=True).get(pk=message.pk))


@router.get("/tickets/{number}/events", response={200: EventPage, **ERRORS}, summary="A ticket's history")
def list_events(request: HttpRequest, number: Number, query: Query[PageQuery]) -> dict[str, Any]:
    ticket = _ticket(request, number)
    qs = selectors.ticket_history(ticket).select_related("message")
    page = page_of(qs, sort="created_at", cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


# -- tags and custom fields ----------------------------------------------------------------------


@settings_router.get("/tags", response={200: list[TagOut], **ERRORS}, summary="List tags")
def list_tags(request: HttpRequest) -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


@settings_router.post("/tags", response={201: TagOut, **ERRORS}, summary="Create a tag")
def create_tag(request: HttpRequest, payload: TagIn) -> Status:
    tag = actions.create_tag(actor=actor_of(request), name=payload.name, color=payload.color)
    return Status(201, tag)


@settings_router.get("/custom-fields", response={200: list[CustomFieldOut], **ERRORS}, summary="List custom fields")
def list_custom_fields(request: HttpRequest) -> QuerySet[CustomFieldDefinition]:
    return CustomFieldDefinition.objects.order_by("position", "key")


@settings_router.post("/custom-fields", response={201: CustomFieldOut, **ERRORS}, summary="Define a custom field")
def create_custom_field(request: HttpRequest, payload: CustomFieldCreateIn) -> Status:
    actor = require_admin(request)
    if CustomFieldDefinition.objects.filter(key=payload.key.lower()).exists():
        raise ConflictError(_("A field with the key %(key)s exists already.") % {"key": payload.key}, code="key_taken")
    definition = actions.define_custom_field(actor=actor, **payload.dict())
    return Status(201, definition)


@settings_router.put(
    "/custom-fields/{key}", response={200: CustomFieldOut, **ERRORS}, summary="Change a custom field definition"
)
def update_custom_field(
    request: HttpRequest, key: Annotated[str, Path(max_length=50)], payload: CustomFieldIn
) -> CustomFieldDefinition:
    actor = require_admin(request)
    if not CustomFieldDefinition.objects.filter(key=key.lower()).exists():
        raise NotFoundError(_("No such custom field."))
    return actions.define_custom_field(actor=actor, key=key, **payload.dict())
