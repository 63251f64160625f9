"""REST endpoints for customers (profiles, identities, notes, merge) and organisations.

Thin: parse input, call one action from `customers.actions`, render.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from helpline.core.api_auth import actor_of
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT, PageQuery, page_of
from helpline.core.api_schemas import (
    LanguageOrBlank,
    OrganizationRef,
    PatchField,
    PublicId,
    TimeZoneOrBlank,
    choice_literal,
    objects_named,
    organization_ref,
    provided,
)
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.customers import actions
from helpline.customers.models import Channel, Customer, CustomerIdentity, CustomerNote, IdentityKind, Organization

router = Router(tags=["customers"])
organizations_router = Router(tags=["organizations"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
CustomerKey = Annotated[str, Path(max_length=32, description="The customer's public id.")]
OrganizationKey = Annotated[str, Path(max_length=32, description="The organisation's public id.")]
IdentityKindName = choice_literal(IdentityKind)
ChannelOrBlank = choice_literal(Channel, blank=True)


# -- schemas -------------------------------------------------------------------------------------


class IdentityIn(Schema):
    kind: IdentityKindName  # type: ignore[valid-type]
    value: str = Field(..., min_length=1, max_length=255)
    verified: bool = False


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    verified: bool


class CustomerOut(Schema):
    public_id: str
    name: str
    email: str
    language: str
    time_zone: str
    preferred_channel: str
    identities: list[IdentityOut]
    organizations: list[OrganizationRef]
    custom_attributes: dict[str, Any]
    notes: str
    merged_into: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_identities(obj: Customer) -> list[Any]:
        return list(obj.identities.all())

    @staticmethod
    def resolve_organizations(obj: Customer) -> list[Any]:
        return [organization_ref(o) for o in obj.organizations.all()]

    @staticmethod
    def resolve_merged_into(obj: Customer) -> str | None:
        return obj.merged_into.public_id if obj.merged_into_id and obj.merged_into else None


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerListQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="Text in the name or any identity.")
    organization: str | None = Field(None, max_length=32, description="An organisation's public id.")
    include_merged: bool = Field(False, description="Also list customers merged into others.")


class CustomerCreateIn(Schema):
    name: str = Field("", max_length=200)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)
    language: LanguageOrBlank = ""
    time_zone: TimeZoneOrBlank = ""
    preferred_channel: ChannelOrBlank = ""  # type: ignore[valid-type]
    organizations: list[PublicId] = Field(default_factory=list, max_length=50)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    notes: str = Field("", max_length=20_000)


class CustomerPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    language: LanguageOrBlank | None = None
    time_zone: TimeZoneOrBlank | None = None
    preferred_channel: ChannelOrBlank | None = None  # type: ignore[valid-type]
    organizations: list[PublicId] | None = Field(None, max_length=50)
    custom_attributes: dict[str, Any] | None = None
    notes: str | None = Field(None, max_length=20_000)


class CustomerMergeIn(Schema):
    into: PublicId = Field(..., description="Public id of the customer that absorbs this one.")


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=20_000)


class NoteOut(Schema):
    id: int
    body: str
    author: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: CustomerNote) -> str | None:
        return str(obj.author) if obj.author_id and obj.author else None


class OrganizationOut(Schema):
    public_id: str
    name: str
    domain: str
    notes: str
    custom_attributes: dict[str, Any]
    created_at: dt.datetime


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class OrganizationListQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="Text in the name or domain.")


class OrganizationCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    domain: str = Field("", max_length=200)
    notes: str = Field("", max_length=20_000)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)


class OrganizationPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=20_000)
    custom_attributes: dict[str, Any] | None = None


# -- reads ---------------------------------------------------------------------------------------


def _customers() -> QuerySet[Customer]:
    return Customer.objects.select_related("merged_into").prefetch_related(
        Prefetch("identities", queryset=CustomerIdentity.objects.order_by("kind", "value")),
        Prefetch("organizations", queryset=Organization.objects.order_by("name")),
    )


def _customer(public_id: str) -> Customer:
    customer = _customers().filter(public_id=public_id).first()
    if customer is None:
        raise NotFoundError(_("No such customer."))
    return customer


def _organization(public_id: str) -> Organization:
    organization = Organization.objects.filter(public_id=public_id).first()
    if organization is None:
        raise NotFoundError(_("No such organisation."))
    return organization


def _organizations(public_ids: list[str]) -> list[Organization]:
    return objects_named(
        Organization.objects.all(),
        public_ids,
        key="public_id",
        field="organizations",
        code="invalid_organization",
        message=_("Unknown organisation: %(ids)s"),
        unknown=_("unknown organisation"),
    )


def _search(qs: QuerySet[Customer], query: CustomerListQuery) -> QuerySet[Customer]:
    if not query.include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if query.organization:
        qs = qs.filter(organizations__public_id=query.organization)
    text = (query.q or "").strip()
    if text:
        matching = CustomerIdentity.objects.filter(customer=OuterRef("pk"), value__icontains=text)
        qs = qs.filter(Q(name__icontains=text) | Exists(matching))
    return qs


# -- customers -----------------------------------------------------------------------------------


@router.get("/customers", response={200: CustomerPage, **ERRORS}, summary="List customers")
def list_customers(request: HttpRequest, query: Query[CustomerListQuery]) -> dict[str, Any]:
    actor_of(request)
    page = page_of(_search(_customers(), query), sort="-created_at", cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerCreateIn) -> Status:
    customer = actions.create_customer(
        actor=actor_of(request),
        name=payload.name,
        identities=[(i.kind, i.value) for i in payload.identities],
        language=payload.language,
        time_zone=payload.time_zone,
        preferred_channel=payload.preferred_channel,
        organizations=_organizations(payload.organizations),
        custom_attributes=payload.custom_attributes,
        notes=payload.notes,
    )
    return Status(201, _customer(customer.public_id))


@router.get("/customers/{public_id}", response={200: CustomerOut, **ERRORS}, summary="Get a customer")
def get_customer(request: HttpRequest, public_id: CustomerKey) -> Customer:
    actor_of(request)
    return _customer(public_id)


@router.patch("/customers/{public_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def update_customer(request: HttpRequest, public_id: CustomerKey, payload: CustomerPatchIn) -> Customer:
    actor = actor_of(request)
    customer = _customer(public_id)
    changes = provided(
        payload,
        "name",
        "language",
        "time_zone",
        "preferred_channel",
        "custom_attributes",
        "notes",
        organizations=PatchField("organizations", _organizations),
    )
    actions.update_customer(actor=actor, customer=customer, **changes)
    return _customer(public_id)


@router.post("/customers/{public_id}/identities", response={201: IdentityOut, **ERRORS}, summary="Add an identity")
def add_identity(request: HttpRequest, public_id: CustomerKey, payload: IdentityIn) -> Status:
    actor = actor_of(request)
    customer = _customer(public_id)
    identity = actions.add_identity(
        actor=actor, customer=customer, kind=payload.kind, value=payload.value, verified=payload.verified
    )
    return Status(201, identity)


@router.delete(
    "/customers/{public_id}/identities/{identity_id}", response={204: None, **ERRORS}, summary="Remove an identity"
)
def remove_identity(
    request: HttpRequest, public_id: CustomerKey, identity_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)]
) -> Status:
    actor = actor_of(request)
    customer = _customer(public_id)
    identity = CustomerIdentity.objects.select_related("customer").filter(customer=customer, pk=identity_id).first()
    if identity is None:
        raise NotFoundError(_("No such identity."))
    actions.remove_identity(actor=actor, identity=identity)
    return Status(204, None)


@router.post(
    "/customers/{public_id}/merge", response={200: CustomerOut, **ERRORS}, summary="Merge into another customer"
)
def merge_customer(request: HttpRequest, public_id: CustomerKey, payload: CustomerMergeIn) -> Customer:
    actor = actor_of(request)
    source = _customer(public_id)
    target = _customers().filter(public_id=payload.into).first()
    if target is None:
        raise InvalidInputError(
            _("There is no customer %(id)s.") % {"id": payload.into},
            code="invalid_customer",
            details={"fields": {"into": _("unknown customer")}},
        )
    merged = actions.merge_customers(actor=actor, source=source, target=target)
    return _customer(merged.public_id)


@router.get("/customers/{public_id}/notes", response={200: list[NoteOut], **ERRORS}, summary="A customer's notes")
def list_notes(request: HttpRequest, public_id: CustomerKey) -> QuerySet[CustomerNote]:
    actor_of(request)
    customer = _customer(public_id)
    return CustomerNote.objects.filter(customer=customer).select_related("author").order_by("-created_at", "-id")


@router.post("/customers/{public_id}/notes", response={201: NoteOut, **ERRORS}, summary="Add a note")
def add_note(request: HttpRequest, public_id: CustomerKey, payload: NoteIn) -> Status:
    actor = actor_of(request)
    note = actions.add_customer_note(actor=actor, customer=_customer(public_id), body=payload.body)
    return Status(201, note)


# -- organisations -------------------------------------------------------------------------------


@organizations_router.get("/organizations", response={200: OrganizationPage, **ERRORS}, summary="List organisations")
def list_organizations(request: HttpRequest, query: Query[OrganizationListQuery]) -> dict[str, Any]:
    actor_of(request)
    qs = Organization.objects.all()
    text = (query.q or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(domain__icontains=text))
    page = page_of(qs, sort="-created_at", cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@organizations_router.post("/organizations", response={201: OrganizationOut, **ERRORS}, summary="Create one")
def create_organization(request: HttpRequest, payload: OrganizationCreateIn) -> Status:
    organization = actions.create_organization(actor=actor_of(request), **payload.dict())
    return Status(201, organization)


@organizations_router.get(
    "/organizations/{public_id}", response={200: OrganizationOut, **ERRORS}, summary="Get an organisation"
)
def get_organization(request: HttpRequest, public_id: OrganizationKey) -> Organization:
    actor_of(request)
    return _organization(public_id)


@organizations_router.patch(
    "/organizations/{public_id}", response={200: OrganizationOut, **ERRORS}, summary="Change an organisation"
)
def update_organization(request: HttpRequest, public_id: OrganizationKey, payload: OrganizationPatchIn) -> Organization:
    changes = provided(payload, "name", "domain", "notes", "custom_attributes")
    return actions.update_organization(actor=actor_of(request), organization=_organization(public_id), **changes)
