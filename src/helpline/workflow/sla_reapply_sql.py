"""PostgreSQL path of SLA re-evaluation: a few set-based statements for all open tickets.

1. One UPDATE of ticket states: the first matching policy (a CASE over the policies' conditions,
   each a hashed subquery) for every open ticket whose policy changes.
   The clocks of those tickets follow their new policy in the same statement.
2. Due and warning times of all running clocks computed with numpy, calendar and business time
   alike, and written where they differ (`sla_due_sql`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from helpline.tickets.models import ACTIVE_STATUSES, Ticket
from helpline.workflow.models import SlaPolicy
from helpline.workflow.sla_due_sql import recompute_due_times

ANALYZE_AFTER = 5_000


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
        # Hash joins over every open ticket: enough memory that they do not spill to disk.
        cur.execute("SET LOCAL work_mem = '64MB'")
        # Only ORM-compiled subqueries, integer ids and placeholders are formatted into the SQL.
        # The clocks of the tickets whose policy changes follow it in the same statement.
        cur.execute(
            f"""
            WITH changed AS (
                UPDATE workflow_ticketstate s SET policy_id = m.pid
                FROM (SELECT t.id, {case_sql} AS pid FROM tickets_ticket t WHERE t.status = ANY(%s)) m
                WHERE s.ticket_id = m.id AND s.policy_id IS DISTINCT FROM m.pid
                RETURNING s.ticket_id, s.policy_id
            )
            UPDATE workflow_slaclock c SET policy_id = changed.policy_id
            FROM changed WHERE c.ticket_id = changed.ticket_id
            """,  # noqa: S608
            [*case_params, statuses],
        )
        moved = cur.rowcount
        if moved > ANALYZE_AFTER:
            # Many tickets changed policy: fresh statistics keep the joins below on hash joins.
            cur.execute("ANALYZE workflow_ticketstate")
        return moved + recompute_due_times(cur, policies)
