"""PostgreSQL path of SLA re-evaluation: two statements for all open tickets.

1. One UPDATE of ticket states: the first matching policy (a CASE over the policies' conditions,
   each a hashed subquery) for every open ticket whose policy changes.
2. One UPDATE of clocks joined to their ticket's state and a VALUES list of (policy, target, minutes,
   warning): new policy and due/warning times for calendar-time targets, written only where they differ.
Business-time targets are left to the Python path (calendar maths).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from helpline.tickets.models import ACTIVE_STATUSES, Ticket
from helpline.workflow.models import ClockKind, SlaPolicy


def _policy_case(policies: list[SlaPolicy]) -> tuple[str, list[Any]]:
    from helpline.workflow.sla_reapply import policy_q

    whens, params = [], []
    for policy in policies:
        q = policy_q(policy)
        if not q:
            whens.append(f"WHEN TRUE THEN {int(policy.pk)}")
            continue
        sql, sub_params = Ticket.objects.filter(q).order_by().values("id").query.sql_with_params()
        whens.append(f"WHEN t.id IN ({sql}) THEN {int(policy.pk)}")
        params += list(sub_params)
    if not whens:
        return "NULL::bigint", []
    return "CASE " + " ".join(whens) + " ELSE NULL END", params


def rematch_and_recompute(policies: list[SlaPolicy]) -> int:
    active = [p for p in policies if p.active]
    case_sql, case_params = _policy_case(active)
    statuses = list(ACTIVE_STATUSES)
    with connection.cursor() as cur:
        # Only ORM-compiled subqueries, integer ids and placeholders are formatted into the SQL.
        cur.execute(
            f"""
            UPDATE workflow_ticketstate s SET policy_id = m.pid
            FROM (SELECT t.id, {case_sql} AS pid FROM tickets_ticket t WHERE t.status = ANY(%s)) m
            WHERE s.ticket_id = m.id AND s.policy_id IS DISTINCT FROM m.pid
            """,  # noqa: S608
            [*case_params, statuses],
        )
        rows: list[str] = []
        params: list[Any] = []
        for policy in policies:
            for kind in ClockKind.values:
                minutes = policy.target_minutes(kind)
                rows.append("(%s::bigint, %s::text, %s::interval, %s::interval, %s::boolean)")
                params += [
                    policy.pk,
                    kind,
                    dt.timedelta(minutes=minutes) if minutes is not None else None,
                    dt.timedelta(minutes=policy.warn_before_minutes),
                    policy.business_hours,
                ]
        targets = (
            ("VALUES " + ", ".join(rows))
            if rows
            else "SELECT NULL::bigint, NULL::text, NULL::interval, NULL::interval, FALSE"
        )
        cur.execute(
            f"""
            WITH p(policy_id, kind, target, warn, business) AS ({targets}),
            fresh AS (
                SELECT c.id, s.policy_id,
                       p.business IS TRUE AS business,
                       CASE WHEN c.started_at IS NULL OR c.met_at IS NOT NULL OR p.target IS NULL THEN NULL
                            ELSE c.started_at + (p.target - c.spent) END AS due_at,
                       p.warn
                FROM workflow_slaclock c
                JOIN workflow_ticketstate s ON s.ticket_id = c.ticket_id
                JOIN tickets_ticket t ON t.id = c.ticket_id AND t.status = ANY(%s)
                LEFT JOIN p ON p.policy_id = s.policy_id AND p.kind = c.kind
            )
            UPDATE workflow_slaclock c
            SET policy_id = f.policy_id,
                due_at = CASE WHEN f.business THEN c.due_at ELSE f.due_at END,
                warn_at = CASE WHEN f.business THEN c.warn_at ELSE f.due_at - f.warn END
            FROM fresh f
            WHERE c.id = f.id
              AND (c.policy_id IS DISTINCT FROM f.policy_id
                   OR (NOT f.business AND (c.due_at IS DISTINCT FROM f.due_at
                                           OR c.warn_at IS DISTINCT FROM f.due_at - f.warn)))
            """,  # noqa: S608
            [*params, statuses],
        )
        return cur.rowcount
