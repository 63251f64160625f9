"""Reads of tickets: what an actor may see, views and filters, keyset pagination, one ticket's thread.

List queries stay constant in query count: callers get `select_related`/`prefetch_related` here.
Pagination is keyset (cursor) on the sort column plus id, so a deep page costs what the first does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.tickets.models import (
    ACTIVE_STATUSES,
    Message,
    MessageKind,
    SavedView,
    Tag,
    Ticket,
    TicketEvent,
)

SORTS: dict[str, tuple[str, bool]] = {
    # name: (field, descending)
    "-updated_at": ("updated_at", True),
    "updated_at": ("updated_at", False),
    "-created_at": ("created_at", True),
    "created_at": ("created_at", False),
    "-number": ("number", True),
    "number": ("number", False),
    # Live time-to-breach (workflow SLA clocks): due soonest first, tickets without a running target last.
    "sla_due": ("sla_due_at", False),
}
NULLS_LAST_SORTS = {"sla_due"}
BUILTIN_VIEWS = ("mine", "unassigned", "my_teams", "all", "open", "solved")
FILTER_KEYS = {
    "status",
    "priority",
    "assignee",
    "team",
    "tag",
    "channel",
    "requester",
    "organization",
    "ticket_type",
    "language",
    "q",
    "created_after",
    "created_before",
    "sla",
    "sla_due_within",
}


def visible_tickets(actor: Actor) -> QuerySet[Ticket]:
    qs = Ticket.objects.all()
    if actor.customer is not None:
        return qs.filter(requester=actor.customer)
    if actor.agent is not None and not actor.agent.is_active:
        return qs.none()
    return qs


def get_ticket(*, actor: Actor, public_id: str | None = None, number: int | None = None) -> Ticket:
    qs = visible_tickets(actor).select_related("requester", "assignee", "team", "organization", "merged_into")
    if public_id:
        ticket = qs.filter(public_id=public_id).first()
    elif number is not None:
        ticket = qs.filter(number=number).first()
    else:
        ticket = None
    if ticket is None:
        raise NotFoundError(_("No such ticket."))
    return ticket


def builtin_view_filters(name: str, agent: User) -> dict[str, Any]:
    if name == "mine":
        return {"assignee": "me", "status": "active"}
    if name == "unassigned":
        return {"assignee": "none", "status": "active"}
    if name == "my_teams":
        return {"team": "mine", "status": "active"}
    if name == "open":
        return {"status": "active"}
    if name == "solved":
        return {"status": ["solved", "closed"]}
    return {}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v) != ""]
    return [v for v in str(value).split(",") if v]


def _choice_of(values: list[str], field: str, own: str, own_match: Q | None, message: str) -> Q:
    """Tickets whose assignee or team (`field`) is any of `values`: an id, "none", or `own` (the
    agent themself or their teams, matched by `own_match`)."""
    cond = Q()
    for value in values:
        if value == "none":
            cond |= Q(**{f"{field}__isnull": True})
        elif value == own and own_match is not None:
            cond |= own_match
        elif value.isdigit():
            cond |= Q(**{f"{field}_id": _filter_id(value, message)})
        else:
            raise InvalidInputError(message, code="invalid_filter")
    return cond


def filter_tickets(qs: QuerySet[Ticket], filters: dict[str, Any], *, agent: User | None) -> QuerySet[Ticket]:
    """Apply a saved or ad-hoc filter set. Unknown keys are refused, not ignored."""
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise InvalidInputError(
            _("Unknown filter: %(keys)s") % {"keys": ", ".join(sorted(unknown))}, code="invalid_filter"
        )
    statuses = _as_list(filters.get("status"))
    if statuses:
        expanded: list[str] = []
        for s in statuses:
            expanded.extend(ACTIVE_STATUSES if s == "active" else [s])
        qs = qs.filter(status__in=expanded)
    for key in ("priority", "channel", "ticket_type", "language"):
        values = _as_list(filters.get(key))
        if values:
            qs = qs.filter(**{f"{key}__in": values})
    assignees = _as_list(filters.get("assignee"))
    if assignees:
        mine = Q(assignee=agent) if agent is not None else None
        qs = qs.filter(_choice_of(assignees, "assignee", "me", mine, _("Assignee must be an id, “me” or “none”.")))
    teams = _as_list(filters.get("team"))
    if teams:
        mine = Q(team__in=agent.teams.all()) if agent is not None else None
        qs = qs.filter(_choice_of(teams, "team", "mine", mine, _("Team must be an id, “mine” or “none”.")))
    tags = _as_list(filters.get("tag"))
    if tags:
        qs = qs.filter(tags__in=Tag.objects.filter(name__in=[t.lower() for t in tags])).distinct()
    for key, field in (("requester", "requester__public_id"), ("organization", "organization__public_id")):
        values = _as_list(filters.get(key))
        if values:
            qs = qs.filter(**{f"{field}__in": values})
    for key, lookup in (("created_after", "created_at__gte"), ("created_before", "created_at__lt")):
        if filters.get(key):
            when = _parse_when(str(filters[key]))
            qs = qs.filter(**{lookup: when})
    if filters.get("sla") or filters.get("sla_due_within"):
        qs = _filter_sla(qs, filters)
    query = str(filters.get("q") or "").strip()
    if query:
        from helpline.search.selectors import filter_tickets_by_text

        # Without an agent (a portal customer) internal notes must never match.
        qs = filter_tickets_by_text(qs, query, public_only=agent is None)
    return qs


def _filter_sla(qs: QuerySet[Ticket], filters: dict[str, Any]) -> QuerySet[Ticket]:
    """`sla`: "breached"; `sla_due_within`: hours (1 to a year) until the earliest running target."""
    from helpline.workflow.selectors import MAX_DUE_WITHIN_HOURS, filter_sla

    states = _as_list(filters.get("sla"))
    if any(state != "breached" for state in states):
        raise InvalidInputError(_("The SLA filter must be “breached”."), code="invalid_filter")
    hours = None
    if filters.get("sla_due_within"):
        try:
            hours = int(str(filters["sla_due_within"]).strip())
        except ValueError:
            hours = 0
        if not 1 <= hours <= MAX_DUE_WITHIN_HOURS:
            raise InvalidInputError(
                _("“Due within” must be a whole number of hours from 1 to %(max)d.") % {"max": MAX_DUE_WITHIN_HOURS},
                code="invalid_filter",
            )
    return filter_sla(qs, breached=bool(states), due_within_hours=hours)


MAX_DB_INT = 2**63 - 1


def _db_int(value: Any) -> int:
    number = int(value)
    if not -MAX_DB_INT <= number <= MAX_DB_INT:
        raise ValueError("out of range")
    return number


def _filter_id(value: str, message: str) -> int:
    try:
        return _db_int(value)
    except ValueError:
        raise InvalidInputError(message, code="invalid_filter") from None


def _parse_when(value: str) -> dt.datetime:
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time.min)
    except ValueError:
        raise InvalidInputError(_("“%(value)s” is not a date.") % {"value": value}, code="invalid_filter") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def with_list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.select_related("requester", "assignee", "team").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )


# -- counts --------------------------------------------------------------------------------------


def capped_counts(querysets: Mapping[str, QuerySet[Ticket]], *, cap: int) -> dict[str, int]:
    """How many tickets each queryset holds, counted up to `cap` (a result of `cap` means "`cap` or
    more"). One query: each count is a scalar subquery over `LIMIT cap`, so each can use its own
    index and none reads more than `cap` rows, however large the desk."""
    counts = dict.fromkeys(querysets, 0)
    parts: list[str] = []
    params: list[Any] = []
    keys: list[str] = []
    for key, qs in querysets.items():
        try:
            sql, sql_params = qs.order_by().values("pk")[:cap].query.sql_with_params()
        except EmptyResultSet:
            continue  # e.g. `.none()`: nothing to count
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608 - compiled by Django, values are params
        params.extend(sql_params)
        keys.append(key)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        counts.update(zip(keys, row, strict=True))
    return counts


def capped_counts_within(
    querysets: Mapping[str, QuerySet[Ticket]], *, cap: int, budget_ms: int
) -> dict[str, int | None]:
    """`capped_counts` for views whose filters no index may serve (saved views): a rare match among
    a million closed tickets reads them all. On PostgreSQL the views are counted one by one, each
    query limited to what is left of `budget_ms`; a view not counted in time is None."""
    if connection.vendor != "postgresql":
        return dict(capped_counts(querysets, cap=cap))
    deadline = time.monotonic() + budget_ms / 1000
    counts: dict[str, int | None] = {}
    for key, qs in querysets.items():
        left_ms = int((deadline - time.monotonic()) * 1000)
        counts[key] = None
        if left_ms < 1:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                before = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{left_ms}ms"])
                counts[key] = capped_counts({key: qs}, cap=cap)[key]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
        except OperationalError:  # cancelled at the time limit; the savepoint undid the setting
            continue
    return counts


# -- keyset pagination ---------------------------------------------------------------------------


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None
    sort: str


def _encode_cursor(value: Any, pk: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, dt.datetime) else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: str, *, nullable: bool = False) -> tuple[Any, int]:
    """The (sort value, id) a cursor stands for; anything forged or out of range is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if value is None and nullable:
            pass
        elif field.endswith("_at"):
            value = parse_datetime(value)
            if value is None:
                raise ValueError
            value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            value.astimezone(dt.UTC)
        else:
            value = _db_int(value)
        pk = _db_int(pk)
        if pk < 0:
            raise ValueError("negative id")
        return value, pk
    except (ValueError, TypeError, OverflowError, json.JSONDecodeError):
        raise InvalidInputError(
            _("The cursor is not valid; start from the first page."), code="invalid_cursor"
        ) from None


def paginate(qs: QuerySet[Ticket], *, sort: str = "-updated_at", cursor: str | None = None, limit: int = 25) -> Page:
    if sort not in SORTS:
        raise InvalidInputError(_("Unknown sort “%(sort)s”.") % {"sort": sort}, code="invalid_sort")
    if not 1 <= limit <= 100:
        raise InvalidInputError(_("The page size must be between 1 and 100."), code="invalid_limit")
    field, desc = SORTS[sort]
    if sort in NULLS_LAST_SORTS:
        return _paginate_nulls_last(qs, sort=sort, cursor=cursor, limit=limit)
    if cursor:
        value, pk = decode_cursor(cursor, field)
        # The plain bound (<= / >=) lets the database start the index scan at the cursor; the OR
        # only breaks ties on the sort value.
        if desc:
            qs = qs.filter(Q(**{f"{field}__lte": value}), Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
        else:
            qs = qs.filter(Q(**{f"{field}__gte": value}), Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))
    order = [f"-{field}", "-pk"] if desc else [field, "pk"]
    return _page_of(qs.order_by(*order), field=field, sort=sort, limit=limit)


def _page_of(ordered: QuerySet[Ticket], *, field: str, sort: str, limit: int) -> Page:
    items = list(ordered[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = _encode_cursor(getattr(last, field), last.pk)
    return Page(items=items, next_cursor=next_cursor, sort=sort)


def _paginate_nulls_last(qs: QuerySet[Ticket], *, sort: str, cursor: str | None, limit: int) -> Page:
    """Ascending on an annotated, nullable value (SLA due time), NULLs after every value, ties by id."""
    from helpline.workflow.selectors import with_sla_due

    field, _desc = SORTS[sort]
    qs = with_sla_due(qs)
    if cursor:
        value, pk = decode_cursor(cursor, field, nullable=True)
        if value is None:
            qs = qs.filter(**{f"{field}__isnull": True, "pk__gt": pk})
        else:
            qs = qs.filter(
                Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}) | Q(**{f"{field}__isnull": True})
            )
    return _page_of(qs.order_by(F(field).asc(nulls_last=True), "pk"), field=field, sort=sort, limit=limit)


# -- one ticket ----------------------------------------------------------------------------------


def ticket_messages(ticket: Ticket, *, include_notes: bool) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author_agent", "author_customer").prefetch_related("attachments")
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    return qs.order_by("created_at", "id")


def ticket_history(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor_agent", "actor_customer").order_by("created_at", "id")


def requester_other_tickets(ticket: Ticket, limit: int = 10) -> QuerySet[Ticket]:
    return Ticket.objects.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk).order_by("-created_at")[:limit]


def saved_views_for(agent: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(owner=agent) | Q(shared=True)).select_related("owner")
