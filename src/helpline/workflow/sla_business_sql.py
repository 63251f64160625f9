"""PostgreSQL path for business-time SLA targets: every running clock of a business-hours policy
read in one query (times as microsecond integers), deadlines computed per calendar with numpy
(`business_vector`), written back in one UPDATE from arrays, only where they changed."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import connection

from helpline.tickets.models import ACTIVE_STATUSES
from helpline.workflow.business_vector import US, deadlines
from helpline.workflow.models import BusinessCalendar, ClockKind, SlaPolicy

KINDS = list(ClockKind.values)


def _calendar_ids() -> tuple[dict[int, int], int | None]:
    """Each team's calendar, and the desk's default one."""
    teams = dict(BusinessCalendar.objects.filter(team__isnull=False).values_list("team_id", "pk"))
    default = BusinessCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    return teams, default


def recompute_business_due_times(policies: list[SlaPolicy]) -> int:
    """Due and warning times of every running clock under a business-hours policy; returns how many
    clocks changed."""
    business = {p.pk: p for p in policies if p.business_hours}
    if not business:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.id, c.policy_id, c.kind, COALESCE(t.team_id, 0),
                   (extract(epoch FROM c.started_at) * 1000000)::bigint,
                   (extract(epoch FROM c.spent) * 1000000)::bigint
            FROM workflow_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
            WHERE c.policy_id = ANY(%s) AND c.started_at IS NOT NULL AND c.met_at IS NULL
              AND t.status = ANY(%s)
            """,
            [list(business), list(ACTIVE_STATUSES)],
        )
        rows = cur.fetchall()
    if not rows:
        return 0
    ids, pids, kinds, teams, starts, spent = (np.array(col) for col in zip(*rows, strict=True))
    ids, pids, teams = ids.astype(np.int64), pids.astype(np.int64), teams.astype(np.int64)
    starts, spent = starts.astype(np.int64), spent.astype(np.int64)
    due = np.zeros(len(rows), dtype=np.int64)
    has_due = np.zeros(len(rows), dtype=bool)
    warn_before = np.zeros(len(rows), dtype=np.int64)
    team_calendars, default = _calendar_ids()
    records = {c.pk: c.to_calendar() for c in BusinessCalendar.objects.all()}
    for pid, policy in business.items():
        in_policy = pids == pid
        for kind in KINDS:
            minutes = policy.target_minutes(kind)
            selected = in_policy & (kinds == kind)
            if minutes is None or not selected.any():
                continue
            spans = minutes * 60 * US - spent
            warn_before[selected] = policy.warn_before_minutes * 60 * US
            for team in np.unique(teams[selected]):
                rows_here = selected & (teams == team)
                calendar_id = policy.calendar_id or team_calendars.get(int(team)) or default
                calendar = records.get(calendar_id) if calendar_id else None
                if calendar is None:  # no calendar at all: calendar time
                    due[rows_here] = starts[rows_here] + np.maximum(spans[rows_here], 0)
                else:
                    due[rows_here] = deadlines(calendar, starts[rows_here], spans[rows_here])
                has_due[rows_here] = True
    return _write(ids, due, due - warn_before, has_due)


def _write(ids: Any, due: Any, warn: Any, has_due: Any) -> int:
    due_list = [int(v) if ok else None for v, ok in zip(due.tolist(), has_due.tolist(), strict=True)]
    warn_list = [int(v) if ok else None for v, ok in zip(warn.tolist(), has_due.tolist(), strict=True)]
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH u AS (
                SELECT id,
                       to_timestamp(0) + due * interval '1 microsecond' AS due_at,
                       to_timestamp(0) + warn * interval '1 microsecond' AS warn_at
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS x(id, due, warn)
            )
            UPDATE workflow_slaclock c SET due_at = u.due_at, warn_at = u.warn_at
            FROM u WHERE c.id = u.id
              AND (c.due_at IS DISTINCT FROM u.due_at OR c.warn_at IS DISTINCT FROM u.warn_at)
            """,
            [ids.tolist(), due_list, warn_list],
        )
        return cur.rowcount
