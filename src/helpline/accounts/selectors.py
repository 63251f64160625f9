"""Reads for the account and workspace-administration pages; each list is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from helpline.accounts.models import (
    ApiToken,
    AuditAction,
    AuditLogEntry,
    LoginFailure,
    NotificationPreferences,
    Team,
    User,
)
from helpline.tickets.models import CustomFieldDefinition, Tag

AUDIT_PAGE_SIZE = 50


def agents_for_admin() -> QuerySet[User]:
    return User.objects.order_by("username").prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))


def teams_for_admin() -> QuerySet[Team]:
    return Team.objects.order_by("name").prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("username"))
    )


def notification_preferences(agent: User) -> NotificationPreferences:
    """The agent's notification choices (the defaults, unsaved, when they never chose)."""
    return NotificationPreferences.objects.filter(agent=agent).first() or NotificationPreferences(agent=agent)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def custom_field_definitions() -> QuerySet[CustomFieldDefinition]:
    return CustomFieldDefinition.objects.order_by("position", "key")


def tags_with_usage() -> QuerySet[Tag]:
    return Tag.objects.annotate(usage=Count("tickets")).order_by("name")


# -- audit log -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditLogEntry]
    next_before: int | None


def audit_entries(*, action: str = "", actor_id: int | None = None) -> QuerySet[AuditLogEntry]:
    qs = AuditLogEntry.objects.select_related("actor")
    if action and action in AuditAction.values:
        qs = qs.filter(action=action)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return qs


def audit_page(qs: QuerySet[AuditLogEntry], *, before: int | None = None, limit: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """Newest first, keyset on the id (rows are append-only), so deep pages cost the same as the first."""
    if before is not None:
        qs = qs.filter(pk__lt=before)
    items = list(qs.order_by("-pk")[: limit + 1])
    next_before = None
    if len(items) > limit:
        items = items[:limit]
        next_before = items[-1].pk
    return AuditPage(entries=items, next_before=next_before)


# -- sign-in rate limit --------------------------------------------------------------------------


def login_retry_after(*, username: str, ip_address: str | None) -> int:
    """Seconds until sign-in is allowed again for this username and address (0 when it already is).

    Mirrors `actions.check_login_allowed`: a username is locked at LOGIN_MAX_FAILURES failures in the
    window, an address at four times that. The lock lifts when enough failures age out of the window.
    """
    limit = settings.LOGIN_MAX_FAILURES
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    since = now - window
    waits = [0.0]
    checks = [(LoginFailure.objects.filter(username=username.lower()), limit)]
    if ip_address:
        checks.append((LoginFailure.objects.filter(ip_address=ip_address), limit * 4))
    for qs, allowed in checks:
        times = list(qs.filter(created_at__gte=since).order_by("created_at").values_list("created_at", flat=True))
        if len(times) >= allowed:
            # The lock lifts once the (len - allowed + 1)th oldest failure leaves the window.
            lifts_at = times[len(times) - allowed] + window
            waits.append((lifts_at - now).total_seconds())
    return max(0, math.ceil(max(waits)))
