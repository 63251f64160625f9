"""Headline KPIs, each one aggregate query (or a few) computed in the database.

Every function takes a `ReportFilter`; tickets merged into another never count. Definitions shown
on the report page live in `helpline.reports.definitions`; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, When, Window
from django.db.models.functions import Lag
from django.utils import timezone

from helpline.reports import business_time
from helpline.reports.filters import ReportFilter
from helpline.reports.sql import distribution, seconds_between
from helpline.surveys.models import (
    CSAT_SATISFIED_MIN,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    CsatSurvey,
    NpsSurvey,
)
from helpline.tickets.models import ACTIVE_STATUSES, EventKind, Message, MessageKind, Status, Ticket, TicketEvent
from helpline.workflow.models import BusinessCalendar

REPEAT_CONTACT_DAYS = 7
CLOSED_STATUSES = (Status.SOLVED, Status.CLOSED)


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`, as a percentage (None when there is nothing to divide)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.part / self.whole, 1) if self.whole else None


@dataclass(frozen=True)
class Durations:
    count: int
    median: float | None  # seconds
    p90: float | None
    average: float | None


def tickets(f: ReportFilter) -> QuerySet[Ticket]:
    return Ticket.objects.filter(f.ticket_q())


def _durations(qs: QuerySet[Any], end: str, start: str) -> Durations:
    n, avg, ranks = distribution(qs, seconds_between(end, start), (0.5, 0.9))
    return Durations(count=n, median=ranks[0.5], p90=ranks[0.9], average=avg)


def _business_durations(
    qs: QuerySet[Any],
    end: str,
    start: str,
    *,
    ticket_prefix: str = "",
    span: tuple[dt.datetime, dt.datetime] | None = None,
) -> Durations | None:
    """Like `_durations` in business time; None when the desk has no business calendar."""
    if not BusinessCalendar.objects.exists():
        return None
    narrowed, expression = business_time.business_seconds(qs, end, start, ticket_prefix=ticket_prefix, span=span)
    n, avg, ranks = distribution(narrowed, expression, (0.5, 0.9))
    return Durations(count=n, median=ranks[0.5], p90=ranks[0.9], average=avg)


def created_count(f: ReportFilter) -> int:
    return tickets(f).filter(f.in_range("created_at")).count()


def solved_count(f: ReportFilter) -> int:
    return tickets(f).filter(f.in_range("solved_at")).count()


def first_response_time(f: ReportFilter) -> Durations:
    """Tickets opened in the period that got a public agent reply: reply time - opening time."""
    qs = tickets(f).filter(f.in_range("created_at"), first_response_at__isnull=False)
    return _durations(qs, "first_response_at", "created_at")


def resolution_time(f: ReportFilter) -> Durations:
    """Tickets solved in the period: time solved - time opened (calendar time)."""
    qs = tickets(f).filter(f.in_range("solved_at"))
    return _durations(qs, "solved_at", "created_at")


def first_response_business_time(f: ReportFilter) -> Durations | None:
    """First response time counted only inside the working hours of the ticket's team calendar."""
    qs = tickets(f).filter(f.in_range("created_at"), first_response_at__isnull=False)
    return _business_durations(qs, "first_response_at", "created_at")


def resolution_business_time(f: ReportFilter) -> Durations | None:
    """Resolution time counted only inside the working hours of the ticket's team calendar."""
    return _business_durations(tickets(f).filter(f.in_range("solved_at")), "solved_at", "created_at")


def _answered_messages(f: ReportFilter) -> QuerySet[Message]:
    """Customer messages in the period, each with `replied_at`: the next agent reply (NULL when none)."""
    next_reply = (
        Message.objects.filter(
            ticket=OuterRef("ticket"),
            kind=MessageKind.REPLY,
            author_agent__isnull=False,  # an agent's reply, not an automatic one (survey invitation)
            created_at__gt=OuterRef("created_at"),
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    qs = Message.objects.filter(
        f.in_range("created_at"), f.ticket_q("ticket__", include_merged=True), kind=MessageKind.INBOUND
    ).annotate(replied_at=Subquery(next_reply))  # unanswered messages give NULL, which the distribution leaves out
    return qs


def response_time(f: ReportFilter) -> Durations:
    """Every customer message in the period that got an answer: time to the next agent reply."""
    return _durations(_answered_messages(f), "replied_at", "created_at")


def response_business_time(f: ReportFilter) -> Durations | None:
    """Response time counted only inside the working hours of the ticket's team calendar."""
    qs = _answered_messages(f).filter(Q(replied_at__isnull=False))  # an annotation: Q keeps the type checker out
    # Messages are from the period and replies are not in the future: no MIN/MAX pass over the
    # reply subquery is needed to know which working intervals the figure reads.
    span = (f.start, max(f.end, timezone.now()))
    return _business_durations(qs, "replied_at", "created_at", ticket_prefix="ticket__", span=span)


def csat(f: ReportFilter) -> Rate:
    """Answers in the period rated 4 or 5, of all answers in the period. The agent is the one the
    ticket was assigned to when it was solved."""
    agg = CsatSurvey.objects.filter(
        f.in_range("answered_at"), f.ticket_q("ticket__", agent_field="agent_id"), rating__isnull=False
    ).aggregate(n=Count("id"), good=Count("id", filter=Q(rating__gte=CSAT_SATISFIED_MIN)))
    return Rate(agg["good"], agg["n"])


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        if not self.answers:
            return None
        return round(100.0 * (self.promoters - self.detractors) / self.answers, 1)


def nps(f: ReportFilter) -> Nps:
    """NPS answers in the period: % promoters (9–10) minus % detractors (0–6). Customer-level, so
    only the date range applies."""
    agg = NpsSurvey.objects.filter(f.in_range("answered_at"), score__isnull=False).aggregate(
        p=Count("id", filter=Q(score__gte=NPS_PROMOTER_MIN)),
        d=Count("id", filter=Q(score__lte=NPS_DETRACTOR_MAX)),
        n=Count("id"),
    )
    return Nps(promoters=agg["p"], passives=agg["n"] - agg["p"] - agg["d"], detractors=agg["d"])


def _reopened() -> Exists:
    """A status change from solved or closed back to an active status (solved → closed is not)."""
    after_active = Q()
    for status in ACTIVE_STATUSES:
        after_active |= Q(after=status)
    return Exists(
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.STATUS_CHANGED)
        .filter(Q(before=Status.SOLVED) | Q(before=Status.CLOSED))
        .filter(after_active)
    )


def reopen_rate(f: ReportFilter) -> Rate:
    """Tickets solved in the period that were ever reopened after being solved or closed."""
    agg = (
        tickets(f).filter(f.in_range("solved_at")).aggregate(n=Count("id"), reopened=Count("id", filter=Q(_reopened())))
    )
    return Rate(agg["reopened"], agg["n"])


def first_contact_resolution(f: ReportFilter) -> Rate:
    """Tickets solved in the period with exactly one public agent reply and never reopened.

    "Exactly one reply": a first reply exists and no reply came after it, an anti-join on the
    message index (ticket, created_at) instead of counting every ticket's replies."""
    later_reply = Message.objects.filter(
        ticket=OuterRef("pk"),
        kind=MessageKind.REPLY,
        author_agent__isnull=False,  # automatic messages (the survey invitation) are not a second reply
        created_at__gt=OuterRef("first_response_at"),
    )
    agg = (
        tickets(f)
        .filter(f.in_range("solved_at"))
        .aggregate(
            n=Count("id"),
            fcr=Count("id", filter=Q(first_response_at__isnull=False) & ~Q(Exists(later_reply)) & ~Q(_reopened())),
        )
    )
    return Rate(agg["fcr"], agg["n"])


def repeat_contact_rate(f: ReportFilter, days: int = REPEAT_CONTACT_DAYS) -> Rate:
    """Tickets opened in the period whose requester had opened another ticket in the `days`
    before it.

    One pass instead of a lookup per ticket: every ticket opened from `days` before the period to
    its end (merged ones too: a duplicate is a repeat contact) gets its requester's previous opening
    time by a window (LAG); the counted tickets (the filter's) are joined to it by id."""
    window = (
        Ticket.objects.filter(created_at__gte=f.start - dt.timedelta(days=days), created_at__lt=f.end)
        .order_by()
        .annotate(prev=Window(Lag("created_at"), partition_by=[F("requester_id")], order_by=[F("created_at"), F("id")]))
        .values_list("id", "created_at", "prev")
    )
    counted = tickets(f).filter(f.in_range("created_at")).order_by().values_list("id")
    window_sql, window_params = window.query.sql_with_params()
    counted_sql, counted_params = counted.query.sql_with_params()
    vendor = connections[Ticket.objects.db].vendor
    if vendor == "postgresql":
        recent = "w.prev < w.created_at AND w.prev >= w.created_at - make_interval(days => %s)"
    else:
        recent = "w.prev < w.created_at AND julianday(w.created_at) - julianday(w.prev) <= %s"
    # Django-compiled SQL and constants only; values are parameters.
    sql = f"SELECT count(*), coalesce(sum(CASE WHEN {recent} THEN 1 ELSE 0 END), 0) "  # noqa: S608
    sql += f"FROM ({counted_sql}) AS c JOIN ({window_sql}) AS w ON w.id = c.id"
    with connections[Ticket.objects.db].cursor() as cursor:
        cursor.execute(sql, (days, *counted_params, *window_params))
        whole, repeat = cursor.fetchone()
    return Rate(int(repeat), int(whole))


@dataclass(frozen=True)
class Backlog:
    total: int
    new: int
    open: int
    pending: int
    on_hold: int
    under_1_day: int
    days_1_to_3: int
    days_3_to_7: int
    over_7_days: int


def backlog(f: ReportFilter, now: dt.datetime | None = None) -> Backlog:
    """Tickets not solved or closed now (team, agent, channel, language, tag apply; not the dates),
    by status and by age since opening."""
    now = now or timezone.now()
    d = dt.timedelta(days=1)
    agg = (
        tickets(f)
        .filter(status__in=ACTIVE_STATUSES)
        .aggregate(
            total=Count("id"),
            new=Count("id", filter=Q(status=Status.NEW)),
            open=Count("id", filter=Q(status=Status.OPEN)),
            pending=Count("id", filter=Q(status=Status.PENDING)),
            on_hold=Count("id", filter=Q(status=Status.ON_HOLD)),
            under_1_day=Count("id", filter=Q(created_at__gt=now - d)),
            days_1_to_3=Count("id", filter=Q(created_at__lte=now - d, created_at__gt=now - 3 * d)),
            days_3_to_7=Count("id", filter=Q(created_at__lte=now - 3 * d, created_at__gt=now - 7 * d)),
            over_7_days=Count("id", filter=Q(created_at__lte=now - 7 * d)),
        )
    )
    return Backlog(**agg)


@dataclass(frozen=True)
class Retention:
    previous_customers: int
    retained: int
    current_customers: int

    @property
    def retention(self) -> Rate:
        return Rate(self.retained, self.previous_customers)

    @property
    def churn(self) -> Rate:
        return Rate(self.previous_customers - self.retained, self.previous_customers)


def retention(f: ReportFilter) -> Retention:
    """Customers who opened a ticket in the previous period of the same length, and how many of
    them opened one in this period too (retained); the others churned. One scan over both
    periods, grouped by customer."""
    prev = f.previous()
    per_customer = (
        Ticket.objects.filter(f.ticket_q(), created_at__gte=prev.start, created_at__lt=f.end)
        .order_by()
        .values("requester_id")
        .annotate(
            seen_before=Max(Case(When(created_at__lt=f.start, then=1), default=0)),
            seen_now=Max(Case(When(created_at__gte=f.start, then=1), default=0)),
        )
    )
    sql, params = per_customer.query.sql_with_params()
    with connections[Ticket.objects.db].cursor() as cursor:
        totals = "coalesce(sum(seen_before), 0), coalesce(sum(seen_before * seen_now), 0), coalesce(sum(seen_now), 0)"
        cursor.execute(f"SELECT {totals} FROM ({sql}) AS per_customer", params)  # noqa: S608 (compiled SQL)
        previous_customers, retained, current_customers = cursor.fetchone()
    return Retention(
        previous_customers=int(previous_customers), retained=int(retained), current_customers=int(current_customers)
    )


def loyal_customers(f: ReportFilter) -> Rate:
    """Of the customers who opened a ticket in the period: those who had opened one before the
    period (returning) and whose every CSAT answer up to the end of the period is 4 or 5, with at
    least one answer (satisfied).

    Set-based: the period's customers joined to each customer's worst rating so far (one grouped
    scan of the answers), with an indexed EXISTS for an earlier ticket."""
    active = Ticket.objects.filter(f.ticket_q(), f.in_range("created_at")).order_by().values("requester_id").distinct()
    worst = (
        CsatSurvey.objects.filter(rating__isnull=False, answered_at__lt=f.end)
        .order_by()
        .values("customer_id")
        .annotate(worst=Min("rating"))
    )
    active_sql, active_params = active.query.sql_with_params()
    worst_sql, worst_params = worst.query.sql_with_params()
    table = Ticket._meta.db_table
    loyal = (
        f"CASE WHEN w.worst >= %s AND EXISTS (SELECT 1 FROM {table} r WHERE r.requester_id = a.requester_id "  # noqa: S608
        "AND r.created_at < %s) THEN 1 ELSE 0 END"
    )
    sql = f"SELECT count(*), coalesce(sum({loyal}), 0) FROM ({active_sql}) AS a "  # noqa: S608 (compiled SQL)
    sql += f"LEFT JOIN ({worst_sql}) AS w ON w.customer_id = a.requester_id"
    with connections[Ticket.objects.db].cursor() as cursor:
        cursor.execute(sql, (CSAT_SATISFIED_MIN, f.start, *active_params, *worst_params))
        whole, part = cursor.fetchone()
    return Rate(int(part), int(whole))


def sla_compliance(f: ReportFilter) -> Rate:
    """SLA targets (first response, next response, resolution) that came due or were met in the
    period: the share met without breaching."""
    from helpline.workflow.models.sla import SlaClock

    agg = SlaClock.objects.filter((f.in_range("met_at") | f.in_range("breached_at")), f.ticket_q("ticket__")).aggregate(
        n=Count("id"), kept=Count("id", filter=Q(met_at__isnull=False, breached_at__isnull=True))
    )
    return Rate(agg["kept"], agg["n"])


def sla_breaching_now(f: ReportFilter) -> int:
    """Active tickets with an SLA target breached and not yet met."""
    from helpline.workflow.models.sla import SlaClock

    return (
        SlaClock.objects.filter(
            f.ticket_q("ticket__"), breached_at__isnull=False, met_at__isnull=True, ticket__status__in=ACTIVE_STATUSES
        )
        .values("ticket_id")
        .distinct()
        .count()
    )
