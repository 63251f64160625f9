"""Full-text search over tickets, messages and customers (placeholder: substring match)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from helpline.tickets.models import Message, Ticket


def filter_tickets_by_text(qs: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    ids = Message.objects.filter(body_text__icontains=query).values("ticket_id")
    return qs.filter(Q(subject__icontains=query) | Q(pk__in=ids))
