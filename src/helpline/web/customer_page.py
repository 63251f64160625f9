"""Reads for the customer and organisation pages: lists with keyset pages, profile, timeline."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.core.timezones import known_time_zones
from helpline.customers.models import Customer, CustomerIdentity, CustomerNote, Organization
from helpline.tickets import selectors
from helpline.tickets.models import MessageKind, Ticket

PAGE_SIZE = 30
TIMELINE_LIMIT = 200


@dataclass
class CustomerPage:
    items: list[Customer]
    next_cursor: str | None


def with_profile(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    return qs.prefetch_related(
        Prefetch("identities", queryset=CustomerIdentity.objects.order_by("kind", "value")), "organizations"
    )


def _cursor(customer: Customer) -> str:
    raw = json.dumps([customer.name, customer.pk], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int]:
    try:
        name, pk = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        return str(name), int(pk)
    except (ValueError, TypeError):
        raise InvalidInputError(
            _("The cursor is not valid; start from the first page."), code="invalid_cursor"
        ) from None


def customer_page(cursor: str | None = None) -> CustomerPage:
    """Customers by name, keyset-paged, with identities, organisations and ticket counts."""
    qs = Customer.objects.filter(merged_into__isnull=True)
    if cursor:
        name, pk = _decode(cursor)
        qs = qs.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    items = list(with_profile(qs.annotate(ticket_count=Count("tickets")).order_by("name", "pk"))[: PAGE_SIZE + 1])
    next_cursor = _cursor(items[PAGE_SIZE - 1]) if len(items) > PAGE_SIZE else None
    return CustomerPage(items=items[:PAGE_SIZE], next_cursor=next_cursor)


def search(query: str, limit: int = 50) -> list[Customer]:
    from helpline.search.selectors import search_customers

    return search_customers(query, limit)


def get_customer(public_id: str) -> Customer:
    customer = with_profile(Customer.objects.select_related("merged_into")).filter(public_id=public_id).first()
    if customer is None:
        raise NotFoundError(_("No such customer."))
    return customer


def find_customer(reference: str) -> Customer | None:
    """A customer by public id, email address or phone number (for merging)."""
    reference = reference.strip()
    if not reference:
        return None
    found = Customer.objects.filter(public_id=reference).first()
    if found is None:
        identity = CustomerIdentity.objects.select_related("customer").filter(value__iexact=reference).first()
        if identity is None and any(ch.isdigit() for ch in reference):
            digits = "".join(ch for ch in reference if ch.isdigit() or ch == "+")
            identity = CustomerIdentity.objects.select_related("customer").filter(value=digits).first()
        found = identity.customer if identity else None
    while found is not None and found.merged_into_id and found.merged_into is not None:
        found = found.merged_into
    return found


def timeline(actor: Actor, customer: Customer) -> list[Ticket]:
    """Every ticket of the customer, newest first, with message counts and the last activity."""
    qs = (
        selectors.visible_tickets(actor)
        .filter(requester=customer)
        .select_related("assignee", "team")
        .annotate(
            message_count=Count("messages", filter=~Q(messages__kind=MessageKind.NOTE)),
            note_count=Count("messages", filter=Q(messages__kind=MessageKind.NOTE)),
        )
        .order_by("-created_at", "-id")
    )
    return list(qs[:TIMELINE_LIMIT])


def channels_used(tickets: list[Ticket]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for ticket in tickets:
        counts[ticket.channel] = counts.get(ticket.channel, 0) + 1
        labels[ticket.channel] = str(ticket.get_channel_display())
    return sorted(((c, labels[c], n) for c, n in counts.items()), key=lambda x: -x[2])


def notes(customer: Customer) -> list[CustomerNote]:
    return list(customer.customer_notes.select_related("author").order_by("-created_at")[:50])


def organization_names() -> list[str]:
    return list(Organization.objects.order_by("name").values_list("name", flat=True)[:500])


def time_zones() -> list[str]:
    return sorted(known_time_zones())


def organization_context(actor: Actor, organization: Organization, cursor: str | None) -> dict[str, Any]:
    customers = list(
        with_profile(organization.customers.filter(merged_into__isnull=True))
        .annotate(ticket_count=Count("tickets"))
        .order_by("name", "pk")[:200]
    )
    from helpline.web.inbox import list_relations

    members = organization.customers.values("pk")
    qs = list_relations(
        selectors.visible_tickets(actor).filter(Q(organization=organization) | Q(requester__in=members))
    )
    page = selectors.paginate(qs, sort="-updated_at", cursor=cursor, limit=25)
    return {"organization": organization, "customers": customers, "page": page, "tickets": page.items}
