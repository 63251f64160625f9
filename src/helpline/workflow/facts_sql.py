"""Rule facts of one ticket read with one hand-written, server-side prepared query on PostgreSQL (no
ORM compilation and no query planning on the hot path of every ticket event). Same keys as
`conditions.ticket_facts`."""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable
from typing import Any

from django.db import connection

FACTS_SQL = """
SELECT t.status, t.priority, t.ticket_type, t.channel, t.language, t.subject, t.custom_fields,
       t.created_at, t.updated_at, t.team_id, u.username, tm.name, o.name,
       c.name, c.language, c.custom_attributes,
       (SELECT i.value FROM customers_customeridentity i
         WHERE i.customer_id = c.id AND i.kind = 'email' ORDER BY i.id LIMIT 1),
       (SELECT s.status_since FROM workflow_ticketstate s WHERE s.ticket_id = t.id),
       ARRAY(SELECT g.name FROM tickets_ticket_tags tt JOIN tickets_tag g ON g.id = tt.tag_id
              WHERE tt.ticket_id = t.id ORDER BY g.name)
FROM tickets_ticket t
JOIN customers_customer c ON c.id = t.requester_id
LEFT JOIN accounts_user u ON u.id = t.assignee_id
LEFT JOIN accounts_team tm ON tm.id = t.team_id
LEFT JOIN customers_organization o ON o.id = t.organization_id
WHERE t.id = %s
"""


# Planning the facts query costs several times what running it does (joins and subqueries over six
# tables), so each database session prepares it once and then only executes it.
PREPARED_NAME = "helpline_rule_facts"
_prepared: weakref.WeakSet[Any] = weakref.WeakSet()


def _execute_prepared(cur: Any, ticket_id: int) -> None:
    raw = connection.connection
    if raw not in _prepared:
        cur.execute(f"PREPARE {PREPARED_NAME}(bigint) AS {FACTS_SQL.replace('%s', '$1')}")
        _prepared.add(raw)
    cur.execute(f"EXECUTE {PREPARED_NAME}(%s)", [ticket_id])


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
        _execute_prepared(cur, ticket_id)
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
