"""Every write to customers, identities and organisations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.bulk import insert_rows
from helpline.core.errors import ConflictError, InvalidInputError, NotPermittedError
from helpline.core.events import CUSTOMER_CHANGED_HOOK, publish_on_commit
from helpline.core.timezones import known_time_zones
from helpline.customers.models import (
    GREETINGS_OPT_IN,
    Channel,
    Customer,
    CustomerIdentity,
    CustomerNote,
    IdentityKind,
    Organization,
)
from helpline.tickets.event_bus import publish_ticket_events
from helpline.tickets.models import EventKind, Ticket, TicketEvent

_UNSET: Any = object()


def normalize_identity(kind: str, value: str) -> str:
    """Email lower-cased, phone numbers reduced to + and digits, handles trimmed."""
    value = (value or "").strip()
    if kind not in IdentityKind.values:
        raise InvalidInputError(_("Unknown identity kind “%(kind)s”.") % {"kind": kind}, code="invalid_identity")
    if not value:
        raise InvalidInputError(_("An identity needs a value."), code="invalid_identity")
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except Exception:
            raise InvalidInputError(
                _("“%(value)s” is not a valid email address.") % {"value": value}, code="invalid_email"
            ) from None
        return value
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        digits = re.sub(r"[^\d+]", "", value)
        digits = ("+" if digits.startswith("+") else "") + digits.replace("+", "")
        if len(digits.lstrip("+")) < 5:
            raise InvalidInputError(
                _("“%(value)s” is not a valid phone number.") % {"value": value}, code="invalid_phone"
            )
        return digits
    return value[:255]


def _check_profile(*, language: Any = _UNSET, time_zone: Any = _UNSET, preferred_channel: Any = _UNSET) -> None:
    """Blank means "not known"; anything else must be a language, time zone or channel we know."""
    if language not in (_UNSET, "") and language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language “%(value)s”.") % {"value": language}, code="invalid_language")
    if time_zone not in (_UNSET, "") and time_zone not in known_time_zones():
        raise InvalidInputError(_("Unknown time zone “%(value)s”.") % {"value": time_zone}, code="invalid_time_zone")
    if preferred_channel not in (_UNSET, "") and preferred_channel not in Channel.values:
        raise InvalidInputError(
            _("Unknown channel “%(value)s”.") % {"value": preferred_channel}, code="invalid_channel"
        )


def _require_agent(actor: Actor, *, supervisor: bool = False) -> None:
    if actor.is_system:
        return
    agent = actor.agent
    if agent is None or not agent.is_active or agent.is_light_agent:
        raise NotPermittedError(_("You are not allowed to change customers."))
    if supervisor and not agent.is_supervisor_or_admin:
        raise NotPermittedError(_("Only supervisors and admins may do this."))


def _changed(customer: Customer) -> None:
    publish_on_commit(CUSTOMER_CHANGED_HOOK, customer.pk)


def create_customer(
    *,
    actor: Actor,
    name: str = "",
    identities: Iterable[tuple[str, str]] = (),
    language: str = "",
    time_zone: str = "",
    preferred_channel: str = "",
    organizations: Iterable[Organization] = (),
    custom_attributes: dict[str, Any] | None = None,
    notes: str = "",
    created_at: dt.datetime | None = None,
) -> Customer:
    """A new customer; `created_at` backdates the profile when importing from another system (when the
    customer first got in touch there)."""
    _require_agent(actor)
    _check_profile(language=language, time_zone=time_zone, preferred_channel=preferred_channel)
    pairs = [(kind, normalize_identity(kind, value)) for kind, value in identities]
    with transaction.atomic():
        for kind, value in pairs:
            if CustomerIdentity.objects.filter(kind=kind, value=value).exists():
                raise ConflictError(
                    _("%(value)s already belongs to another customer.") % {"value": value}, code="identity_taken"
                )
        customer = Customer.objects.create(
            name=name.strip()[:200],
            language=language,
            time_zone=time_zone,
            preferred_channel=preferred_channel,
            custom_attributes=custom_attributes or {},
            notes=notes,
        )
        if created_at is not None and created_at < customer.created_at:
            Customer.objects.filter(pk=customer.pk).update(created_at=created_at)
            customer.created_at = created_at
        for kind, value in pairs:
            CustomerIdentity.objects.create(customer=customer, kind=kind, value=value)
        orgs = list(organizations)
        if not orgs:
            orgs = _organizations_for(pairs)
        if orgs:
            customer.organizations.set(orgs)
        _changed(customer)
    return customer


def _organizations_for(pairs: list[tuple[str, str]]) -> list[Organization]:
    domains = {v.rsplit("@", 1)[1] for k, v in pairs if k == IdentityKind.EMAIL and "@" in v}
    if not domains:
        return []
    return list(Organization.objects.filter(domain__in=domains))


def resolve_customer(
    *, kind: str, value: str, name: str = "", language: str = "", channel: str = ""
) -> tuple[Customer, bool]:
    """The customer behind a sender identity, created on first contact. Safe under concurrency."""
    value = normalize_identity(kind, value)
    if language not in dict(settings.LANGUAGES):
        language = ""  # a channel's guess we do not speak: leave it unknown rather than refuse the message
    identity = CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
    if identity is not None:
        customer = identity.customer
        while customer.merged_into_id and customer.merged_into is not None:
            customer = customer.merged_into
        return customer, False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name=name.strip()[:200], language=language, preferred_channel=channel)
            CustomerIdentity.objects.create(customer=customer, kind=kind, value=value)
            orgs = _organizations_for([(kind, value)])
            if orgs:
                customer.organizations.set(orgs)
            _changed(customer)
    except IntegrityError:
        identity = CustomerIdentity.objects.select_related("customer").get(kind=kind, value=value)
        return identity.customer, False
    return customer, True


def resolve_customers(
    *, kind: str, senders: Iterable[tuple[str, str]], channel: str = "", languages: dict[str, str] | None = None
) -> dict[str, tuple[Customer, bool]]:
    """`resolve_customer` for many (value, name) pairs at once, inside the caller's transaction: one
    look-up for all, the missing customers created together. Keyed by the normalised value; values
    that are not valid identities are left out (the caller treats them one by one). Two workers
    creating the same identity at once make the caller's transaction fail (IntegrityError).
    `languages`: value -> the language a new customer starts with (one the desk serves, detected
    with certainty in their message), as the language subscriber would set it afterwards."""
    wanted: dict[str, str] = {}
    starting: dict[str, str] = {}
    served = dict(settings.LANGUAGES)
    for value, name in senders:
        try:
            normalized = normalize_identity(kind, value)
        except InvalidInputError:
            continue
        wanted.setdefault(normalized, name)
        language = (languages or {}).get(value, "")
        if language in served:
            starting.setdefault(normalized, language)
    found: dict[str, tuple[Customer, bool]] = {}
    for identity in CustomerIdentity.objects.select_related("customer").filter(kind=kind, value__in=wanted):
        customer = identity.customer
        while customer.merged_into_id and customer.merged_into is not None:
            customer = customer.merged_into
        found[identity.value] = (customer, False)
    missing = [value for value in wanted if value not in found]
    if not missing:
        return found
    with transaction.atomic():
        customers = insert_rows(
            Customer,
            [
                Customer(
                    name=wanted[value].strip()[:200], language=starting.get(value, ""), preferred_channel=channel
                )
                for value in missing
            ],
        )
        insert_rows(
            CustomerIdentity,
            [CustomerIdentity(customer=c, kind=kind, value=v) for c, v in zip(customers, missing, strict=True)],
        )
        orgs: dict[str, list[Organization]] = {}
        if kind == IdentityKind.EMAIL:
            for org in Organization.objects.filter(domain__in={v.rsplit("@", 1)[1] for v in missing}):
                orgs.setdefault(org.domain, []).append(org)
        links = [
            Customer.organizations.through(customer_id=c.pk, organization_id=org.pk)
            for c, v in zip(customers, missing, strict=True)
            for org in orgs.get(v.rsplit("@", 1)[-1], [])
        ]
        if links:
            Customer.organizations.through.objects.bulk_create(links)
        for customer, value in zip(customers, missing, strict=True):
            _changed(customer)
            found[value] = (customer, True)
    return found


def update_customer(
    *,
    actor: Actor,
    customer: Customer,
    name: str = _UNSET,
    language: str = _UNSET,
    time_zone: str = _UNSET,
    preferred_channel: str = _UNSET,
    notes: str = _UNSET,
    custom_attributes: dict[str, Any] = _UNSET,
    organizations: Iterable[Organization] = _UNSET,
) -> Customer:
    if actor.customer is not None:
        # Customers may edit their own name and language in the portal.
        if actor.customer.pk != customer.pk or any(
            v is not _UNSET for v in (preferred_channel, notes, custom_attributes, organizations)
        ):
            raise NotPermittedError(_("You are not allowed to change this profile."))
    else:
        _require_agent(actor)
    _check_profile(language=language, time_zone=time_zone, preferred_channel=preferred_channel)
    fields = []
    for attr, value in (
        ("name", name),
        ("language", language),
        ("time_zone", time_zone),
        ("preferred_channel", preferred_channel),
        ("notes", notes),
        ("custom_attributes", custom_attributes),
    ):
        if value is not _UNSET and getattr(customer, attr) != value:
            setattr(customer, attr, value)
            fields.append(attr)
    if custom_attributes is not _UNSET and not isinstance(custom_attributes, dict):
        raise InvalidInputError(_("Custom attributes must be an object."), code="invalid_attributes")
    with transaction.atomic():
        if fields:
            customer.save(update_fields=[*fields, "updated_at"])
        if organizations is not _UNSET:
            customer.organizations.set(list(organizations))
        _changed(customer)
    return customer


SPECIAL_DATE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def set_special_date_greeting(
    *, actor: Actor, customer: Customer, opted_in: bool, date_attribute: str, date: dt.date | None
) -> Customer:
    """Record whether the customer wants a greeting on their special date, and the date (kept in the
    custom attribute the desk greets by, as YYYY-MM-DD). Customers set their own in the portal;
    agents set it for them on the customer page or the ticket page."""
    if actor.customer is not None:
        if actor.customer.pk != customer.pk:
            raise NotPermittedError(_("You are not allowed to change this profile."))
    else:
        _require_agent(actor)
    if not SPECIAL_DATE_KEY.match(date_attribute or ""):
        raise InvalidInputError(_("Greetings on a special date are not set up."), code="greetings_not_set_up")
    if opted_in and date is None and not (customer.custom_attributes or {}).get(date_attribute):
        raise InvalidInputError(_("Give the date you would like to be greeted on."), code="special_date_required")
    attributes = dict(customer.custom_attributes or {})
    if opted_in:
        attributes[GREETINGS_OPT_IN] = True
    else:
        attributes.pop(GREETINGS_OPT_IN, None)
    if date is not None:
        attributes[date_attribute] = date.isoformat()
    with transaction.atomic():
        if attributes != customer.custom_attributes:
            customer.custom_attributes = attributes
            customer.save(update_fields=["custom_attributes", "updated_at"])
        _changed(customer)
    return customer


def add_identity(
    *, actor: Actor, customer: Customer, kind: str, value: str, verified: bool = False
) -> CustomerIdentity:
    _require_agent(actor)
    value = normalize_identity(kind, value)
    try:
        with transaction.atomic():
            identity = CustomerIdentity.objects.create(customer=customer, kind=kind, value=value, verified=verified)
            _changed(customer)
    except IntegrityError:
        raise ConflictError(
            _("%(value)s already belongs to a customer.") % {"value": value}, code="identity_taken"
        ) from None
    return identity


def remove_identity(*, actor: Actor, identity: CustomerIdentity) -> None:
    _require_agent(actor)
    with transaction.atomic():
        customer = identity.customer
        identity.delete()
        _changed(customer)


def add_customer_note(*, actor: Actor, customer: Customer, body: str) -> CustomerNote:
    _require_agent(actor)
    if not body.strip():
        raise InvalidInputError(_("The note is empty."), code="note_empty")
    with transaction.atomic():
        note = CustomerNote.objects.create(customer=customer, author=actor.agent, body=body.strip())
        _changed(customer)
    return note


def merge_customers(*, actor: Actor, source: Customer, target: Customer) -> Customer:
    """Fold `source` into `target`: every ticket, message, identity, organisation and note moves;
    `source` stays as a pointer (`merged_into`) so old links still resolve."""
    _require_agent(actor, supervisor=True)
    if source.pk == target.pk:
        raise InvalidInputError(_("A customer cannot be merged into itself."), code="merge_self")
    if target.merged_into_id:
        raise ConflictError(_("The target customer was itself merged away."), code="customer_merged")
    now = timezone.now()
    with transaction.atomic():
        tickets = list(Ticket.objects.select_for_update().filter(requester=source))
        events = []
        for ticket in tickets:
            events.append(
                TicketEvent.objects.create(
                    ticket=ticket,
                    kind=EventKind.REQUESTER_CHANGED,
                    actor_agent=actor.agent,
                    actor_label=actor.label if actor.is_system else "",
                    before={"id": source.pk, "name": str(source)},
                    after={"id": target.pk, "name": str(target)},
                    data={"reason": "customer_merge"},
                    created_at=now,
                )
            )
        Ticket.objects.filter(requester=source).update(requester=target, updated_at=now)
        source.messages.update(author_customer=target)
        CustomerIdentity.objects.filter(customer=source).update(customer=target)
        CustomerNote.objects.filter(customer=source).update(customer=target)
        target.organizations.add(*source.organizations.all())
        target_fields = []
        for attr in ("name", "language", "time_zone", "preferred_channel"):
            if not getattr(target, attr) and getattr(source, attr):
                setattr(target, attr, getattr(source, attr))
                target_fields.append(attr)
        attrs = {**source.custom_attributes, **target.custom_attributes}
        if attrs != target.custom_attributes:
            target.custom_attributes = attrs
            target_fields.append("custom_attributes")
        if source.notes:
            target.notes = (target.notes + "\n\n" + source.notes).strip()
            target_fields.append("notes")
        target.save(update_fields=[*target_fields, "updated_at"])
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        Customer.objects.filter(merged_into=source).update(merged_into=target)
        publish_ticket_events(events)
        _changed(target)
        _changed(source)
    return target


def create_organization(
    *, actor: Actor, name: str, domain: str = "", notes: str = "", custom_attributes: dict[str, Any] | None = None
) -> Organization:
    _require_agent(actor)
    name = name.strip()
    if not name:
        raise InvalidInputError(_("An organisation needs a name."), code="name_required")
    try:
        with transaction.atomic():
            return Organization.objects.create(
                name=name[:200], domain=domain.strip().lower(), notes=notes, custom_attributes=custom_attributes or {}
            )
    except IntegrityError:
        raise ConflictError(
            _("An organisation named %(name)s exists already.") % {"name": name}, code="name_taken"
        ) from None


def update_organization(
    *,
    actor: Actor,
    organization: Organization,
    name: str = _UNSET,
    domain: str = _UNSET,
    notes: str = _UNSET,
    custom_attributes: dict[str, Any] = _UNSET,
) -> Organization:
    _require_agent(actor)
    fields = []
    for attr, value in (("name", name), ("domain", domain), ("notes", notes), ("custom_attributes", custom_attributes)):
        if value is not _UNSET and getattr(organization, attr) != value:
            setattr(organization, attr, value)
            fields.append(attr)
    if fields:
        try:
            with transaction.atomic():
                organization.save(update_fields=fields)
                if {"name", "domain"} & set(fields):
                    # Members are found by their organisation's name and domain: index them again.
                    for customer_id in organization.customers.values_list("pk", flat=True):
                        publish_on_commit(CUSTOMER_CHANGED_HOOK, customer_id)
        except IntegrityError:
            raise ConflictError(_("An organisation with this name exists already."), code="name_taken") from None
    return organization


def link_identity(*, actor: Actor, customer: Customer, kind: str, value: str) -> CustomerIdentity | None:
    """A channel learns another address of the customer it talks to (a chat visitor gives an email,
    a WhatsApp number is also a phone). Returns the identity, or None when it belongs to someone else."""
    value = normalize_identity(kind, value)
    existing = CustomerIdentity.objects.filter(kind=kind, value=value).first()
    if existing is not None:
        return existing if existing.customer_id == customer.pk else None
    try:
        with transaction.atomic():
            identity = CustomerIdentity.objects.create(customer=customer, kind=kind, value=value)
            _changed(customer)
    except IntegrityError:
        return None
    return identity


def set_detected_language(*, actor: Actor, customer: Customer, language: str) -> bool:
    """Give a customer whose language is unknown the language detected from their messages.
    Only fills an empty language (never overrides a choice); no change event, as nothing indexed
    or delivered depends on it. Returns whether the customer changed."""
    if language not in dict(settings.LANGUAGES):
        return False
    return bool(Customer.objects.filter(pk=customer.pk, language="").update(language=language))


def set_detected_languages(*, actor: Actor, customers: list[Customer], language: str) -> int:
    """`set_detected_language` for many customers in one statement. Returns how many changed."""
    if language not in dict(settings.LANGUAGES):
        return 0
    changed = Customer.objects.filter(pk__in={c.pk for c in customers}, language="").update(language=language)
    for customer in customers:
        customer.language = customer.language or language
    return changed
