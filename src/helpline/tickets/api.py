"""REST endpoints for tickets, their messages, history and links, tags and custom fields.

Thin: parse input, call one action or selector, render. Writes go through `tickets.actions`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.responses import Status

from helpline.accounts.models import Team, User
from helpline.core.actors import Actor
from helpline.core.api_auth import actor_of, require_admin
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT, PageQuery, page_of
from helpline.core.api_schemas import PatchField, provided
from helpline.core.errors import ConflictError, InvalidInputError, NotFoundError
from helpline.customers.actions import resolve_customer
from helpline.customers.models import Channel, Customer
from helpline.tickets import actions, merge_actions, permissions, selectors, workspace_actions
from helpline.tickets.api_schemas import (
    AttachmentIn,
    CustomFieldCreateIn,
    CustomFieldIn,
    CustomFieldOut,
    EventPage,
    LinkIn,
    LinkOut,
    MergeIn,
    MessageIn,
    MessageOut,
    MessagePage,
    TagIn,
    TagOut,
    TicketCreateIn,
    TicketListQuery,
    TicketOut,
    TicketPage,
    TicketPatchIn,
)
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import CustomFieldDefinition, MessageKind, Tag, Ticket, TicketLink

router = Router(tags=["tickets"])
settings_router = Router(tags=["settings"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
Number = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The ticket number (`#1042` is 1042).")]


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


def _other_ticket(actor: Actor, number: int, field: str) -> Ticket:
    """The ticket a body names (merge into, link to), refused as invalid input when unknown or hidden."""
    ticket = selectors.visible_tickets(actor).filter(number=number).first()
    if ticket is None:
        raise InvalidInputError(
            _("There is no ticket #%(number)s.") % {"number": number},
            code="invalid_ticket",
            details={"fields": {field: _("unknown ticket")}},
        )
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
    changes = provided(
        payload,
        "subject",
        "status",
        "priority",
        "language",
        "tags",
        "custom_fields",
        type=PatchField("ticket_type"),
        assignee_id=PatchField("assignee", lambda agent_id: _agent(agent_id, "assignee_id"), null_clears=True),
        team_id=PatchField("team", lambda team_id: _team(team_id, "team_id"), null_clears=True),
    )
    actions.update_ticket(
        actor=actor, ticket=ticket, add_tags=payload.add_tags, remove_tags=payload.remove_tags, **changes
    )
    return _ticket_out(actor, number)


@router.post("/tickets/{number}/merge", response={200: TicketOut, **ERRORS}, summary="Merge into another ticket")
def merge_ticket(request: HttpRequest, number: Number, payload: MergeIn) -> Ticket:
    actor = actor_of(request)
    source = _ticket(request, number)
    target = _other_ticket(actor, payload.into, "into")
    merged = merge_actions.merge_tickets(actor=actor, source=source, target=target)
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
    target = _other_ticket(actor, payload.ticket, "ticket")
    merge_actions.link_tickets(actor=actor, source=source, target=target, kind=payload.kind)
    return Status(201, _link_rows(source))


@router.delete("/tickets/{number}/links/{other}", response={204: None, **ERRORS}, summary="Remove a link")
def remove_link(request: HttpRequest, number: Number, other: Number) -> Status:
    actor = actor_of(request)
    source = _ticket(request, number)
    target = _ticket(request, other)
    merge_actions.unlink_tickets(actor=actor, source=source, target=target)
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
    tag = workspace_actions.create_tag(actor=actor_of(request), name=payload.name, color=payload.color)
    return Status(201, tag)


@settings_router.get("/custom-fields", response={200: list[CustomFieldOut], **ERRORS}, summary="List custom fields")
def list_custom_fields(request: HttpRequest) -> QuerySet[CustomFieldDefinition]:
    return CustomFieldDefinition.objects.order_by("position", "key")


@settings_router.post("/custom-fields", response={201: CustomFieldOut, **ERRORS}, summary="Define a custom field")
def create_custom_field(request: HttpRequest, payload: CustomFieldCreateIn) -> Status:
    actor = require_admin(request)
    if CustomFieldDefinition.objects.filter(key=payload.key.lower()).exists():
        raise ConflictError(_("A field with the key %(key)s exists already.") % {"key": payload.key}, code="key_taken")
    definition = workspace_actions.define_custom_field(actor=actor, **payload.dict())
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
    return workspace_actions.define_custom_field(actor=actor, key=key, **payload.dict())
