"""Customer segments: saved customer filters, evaluated as one queryset of `Exists` conditions.

Filters (each optional, all must hold):
- tag: the customer has a ticket with this tag
- language: the customer's language
- organization: member of the organisation (public id)
- channel: the customer has a ticket that came in on this channel
- csat: "satisfied" (answered, every rating 4–5), "dissatisfied" (some rating 1–2), "unrated"
- active_days: opened a ticket in the last N days; inactive_days: opened none in the last N days
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.errors import InvalidInputError
from helpline.customers.models import Channel, Customer, Organization
from helpline.reports.models import CustomerSegment
from helpline.surveys.models import CSAT_SATISFIED_MIN, CsatSurvey
from helpline.tickets.models import Ticket

CSAT_CHOICES = ("satisfied", "dissatisfied", "unrated")
DISSATISFIED_MAX = 2
FILTER_KEYS = ("tag", "language", "organization", "channel", "csat", "active_days", "inactive_days")


def clean_filters(raw: dict[str, Any]) -> dict[str, Any]:
    """Keep known, well-formed filters; refuse a bad value with a clear message."""
    filters: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = raw.get(key)
        if value in (None, ""):
            continue
        value = str(value).strip()
        if key in ("active_days", "inactive_days"):
            if not value.isdigit() or not 1 <= int(value) <= 3650:
                raise InvalidInputError(_("Days must be a number from 1 to 3650."), code="invalid_days")
            filters[key] = int(value)
        elif key == "language" and value not in dict(settings.LANGUAGES):
            raise InvalidInputError(_("Unknown language."), code="invalid_language")
        elif key == "channel" and value not in Channel.values:
            raise InvalidInputError(_("Unknown channel."), code="invalid_channel")
        elif key == "csat" and value not in CSAT_CHOICES:
            raise InvalidInputError(_("Unknown satisfaction filter."), code="invalid_csat")
        elif key == "organization" and not Organization.objects.filter(public_id=value).exists():
            raise InvalidInputError(_("No such organisation."), code="invalid_organization")
        else:
            filters[key] = value[:100]
    if not filters:
        raise InvalidInputError(_("Choose at least one filter."), code="filters_required")
    return filters


def segment_customers(filters: dict[str, Any], now: dt.datetime | None = None) -> QuerySet[Customer]:
    now = now or timezone.now()
    qs = Customer.objects.filter(merged_into__isnull=True)
    tickets = Ticket.objects.filter(requester=OuterRef("pk"), merged_into__isnull=True)
    if filters.get("language"):
        qs = qs.filter(language=filters["language"])
    if filters.get("organization"):
        qs = qs.filter(organizations__public_id=filters["organization"])
    if filters.get("tag"):
        qs = qs.filter(Exists(tickets.filter(tags__name=filters["tag"])))
    if filters.get("channel"):
        qs = qs.filter(Exists(tickets.filter(channel=filters["channel"])))
    answers = CsatSurvey.objects.filter(customer=OuterRef("pk"), rating__isnull=False)
    if filters.get("csat") == "satisfied":
        qs = qs.filter(Exists(answers)).exclude(Exists(answers.filter(rating__lt=CSAT_SATISFIED_MIN)))
    elif filters.get("csat") == "dissatisfied":
        qs = qs.filter(Exists(answers.filter(rating__lte=DISSATISFIED_MAX)))
    elif filters.get("csat") == "unrated":
        qs = qs.exclude(Exists(answers))
    if filters.get("active_days"):
        since = now - dt.timedelta(days=int(filters["active_days"]))
        qs = qs.filter(Exists(tickets.filter(created_at__gte=since)))
    if filters.get("inactive_days"):
        since = now - dt.timedelta(days=int(filters["inactive_days"]))
        qs = qs.exclude(Exists(tickets.filter(created_at__gte=since)))
    return qs


def segments_of(customer: Customer, now: dt.datetime | None = None) -> list[CustomerSegment]:
    """The saved segments this customer is in (two queries whatever the number of segments)."""
    saved = segments()
    if not saved:
        return []
    memberships = {
        f"in_{segment.pk}": Exists(segment_customers(segment.filters, now).filter(pk=OuterRef("pk")))
        for segment in saved
    }
    row = Customer.objects.filter(pk=customer.pk).annotate(**memberships).values(*memberships).first()
    if row is None:
        return []
    return [segment for segment in saved if row.get(f"in_{segment.pk}")]


def segments() -> list[CustomerSegment]:
    return list(CustomerSegment.objects.order_by("name"))


def segment_by_public_id(public_id: str) -> CustomerSegment | None:
    return CustomerSegment.objects.filter(public_id=public_id).first()


def filter_summary(filters: dict[str, Any]) -> str:
    labels = {
        "tag": _("tag"),
        "language": _("language"),
        "organization": _("organisation"),
        "channel": _("channel"),
        "csat": _("satisfaction"),
        "active_days": _("active in the last N days"),
        "inactive_days": _("inactive for N days"),
    }
    return ", ".join(f"{labels[k]}: {v}" for k, v in filters.items() if k in labels)


def segment_page(segment: CustomerSegment, limit: int = 200) -> list[Customer]:
    """The first `limit` customers of a segment by name, with what the customers list shows."""
    from django.db.models import Count

    from helpline.web.customer_page import with_profile

    qs = segment_customers(segment.filters).annotate(ticket_count=Count("tickets")).order_by("name", "pk")
    return list(with_profile(qs)[:limit])
