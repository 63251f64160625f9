"""Input and output schemas of the tickets API (tickets, messages, history, links, tags, fields)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from helpline.core.api_pagination import PageQuery
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
from helpline.customers.models import Channel
from helpline.tickets.models import (
    FieldType,
    LinkKind,
    Message,
    MessageKind,
    Priority,
    Ticket,
    TicketType,
)
from helpline.tickets.models import Status as TicketStatus
from helpline.tickets.selectors import SORTS

ChannelName = choice_literal(Channel)
PriorityName = choice_literal(Priority)
StatusName = choice_literal(TicketStatus)
TypeOrBlank = choice_literal(TicketType, blank=True)
TagName = Annotated[str, Field(min_length=1, max_length=60)]
SortName = Literal[tuple(SORTS)]  # type: ignore[valid-type]
MAX_ATTACHMENTS = 10


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
    sla: Literal["breached"] | None = Field(
        None, description="`breached`: the earliest running SLA target is past due."
    )
    sla_due_within: int | None = Field(
        None, ge=1, le=24 * 366, description="Hours: the earliest running SLA target falls due within them."
    )
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
        for name in ("q", "created_after", "created_before", "sla", "sla_due_within"):
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
    language: LanguageOrBlank = ""
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
    language: LanguageOrBlank | None = None


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
