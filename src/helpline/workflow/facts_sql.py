"""Rule facts of one ticket read with one query on PostgreSQL, without ORM compilation or query
planning on the hot path of every ticket event. Same keys as `conditions.ticket_facts`.

Planning the facts query (joins and subqueries over six tables) costs several times what running it
does. The query lives in the PL/pgSQL function `helpline_rule_facts` (migration 0004), whose plan
each server session caches on first use: no `PREPARE`, so nothing depends on the client keeping
the same server session, and it works behind PgBouncer in transaction mode (which does not carry
session-level prepared statements from one transaction to the next).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.db import connection

FACTS_CALL = "SELECT * FROM helpline_rule_facts(%s::bigint)"


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return json.loads(value or "{}")
    return value or {}


def fast_facts(
    ticket_id: int,
    *,
    now: dt.datetime,
    event: Any = None,
    message: Any = None,
    sla_target: str = "",
    business_open: Callable[[int | None], bool] | None = None,
) -> dict[str, Any] | None:
    """None when not on PostgreSQL (the ORM path is used there)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute(FACTS_CALL, [ticket_id])
        row = cur.fetchone()
    if row is None:
        return None
    (status, priority, ticket_type, channel, language, subject, custom, created_at, updated_at, team_id,
     assignee, team, organization, c_name, c_language, c_attributes, email, status_since, tags) = row  # fmt: skip
    return {
        "ticket.status": status,
        "ticket.priority": priority,
        "ticket.type": ticket_type,
        "ticket.channel": channel,
        "ticket.language": language,
        "ticket.subject": subject,
        "ticket.tags": [t for t in tags or [] if t],
        "ticket.assignee": assignee or "",
        "ticket.team": team or "",
        "ticket.organization": organization or "",
        "message.text": message.body_text if message is not None else "",
        "message.kind": message.kind if message is not None else "",
        "message.channel": message.channel if message is not None else "",
        "customer.name": c_name,
        "customer.email": email or "",
        "customer.language": c_language,
        "event.kind": event.kind if event is not None else "",
        "event.after": "" if event is None or event.after is None else str(event.after),
        "sla.target": sla_target,
        "hours.since_created": (now - created_at).total_seconds() / 3600,
        "hours.in_status": (now - (status_since or updated_at)).total_seconds() / 3600,
        "hours.since_update": (now - updated_at).total_seconds() / 3600,
        "_custom": _json(custom),
        "_attributes": _json(c_attributes),
        "_business_open": (lambda: business_open(team_id)) if business_open is not None else None,
    }
