# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""The SQL that builds search documents in bulk, per range of ids (see `rebuild.py`).

Each statement produces the same text as `documents.py` does in Python for one object.
"""

from __future__ import annotations

from helpline.search.indexing import WORD_FILTER
from helpline.search.schema import (
    CUSTOMER_TABLE,
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    TICKET_TABLE,
    WORD_TABLE,
    body_vector,
    ticket_vector,
)

_TICKET_UPSERT = (
    "ON CONFLICT (ticket_id) DO UPDATE SET title = excluded.title, body = excluded.body, "
    "ticket_updated_at = excluded.ticket_updated_at, updated_at = excluded.updated_at, "
    "last_message_id = excluded.last_message_id, message_count = excluded.message_count"
)
_TICKET_INSERT = (
    f"INSERT INTO {TICKET_TABLE} (ticket_id, title, body, ticket_updated_at, updated_at, last_message_id, message_count"
)
# PostgreSQL: the vector column is not generated (see `schema`); computed once per row, over the
# subquery `s` of the other columns (which the caller keeps from being inlined: ORDER BY or OFFSET 0).
_POSTGRES_TICKET_INSERT = f"{_TICKET_INSERT}, vector)\nSELECT s.*, {ticket_vector('s.title', 's.body')} FROM ("
_POSTGRES_TICKET_UPSERT = f"{_TICKET_UPSERT}, vector = excluded.vector"

# A ticket document's columns on PostgreSQL (`m`: its messages' bodies joined by the caller, their
# highest id and their number) and the requester with their identities, for the range rebuild and
# the rebuild by ids alike.
_TICKET_COLUMNS = (
    f"t.id, left(t.subject, {MAX_TITLE_CHARS}) AS title, "
    f"left(concat_ws(E'\\n', nullif(c.name, ''), i.texts, m.texts), {MAX_BODY_CHARS}) AS body, t.updated_at"
)
_TICKET_REQUESTER = """FROM tickets_ticket t
JOIN customers_customer c ON c.id = t.requester_id
LEFT JOIN LATERAL (
    SELECT string_agg(replace(ci.value, '+', ''), E'\\n' ORDER BY ci.kind, ci.value) AS texts
    FROM customers_customeridentity ci WHERE ci.customer_id = t.requester_id
) i ON true"""
# A ticket's messages as its document holds them: every non-empty body in order, one per line.
_MESSAGE_TEXTS = "string_agg(nullif(m.body_text, ''), E'\\n' ORDER BY m.created_at, m.id) AS texts"

POSTGRES_TICKETS = f"""
{_POSTGRES_TICKET_INSERT}
    SELECT {_TICKET_COLUMNS}, %s, m.last_id, coalesce(m.n, 0)
    {_TICKET_REQUESTER}
    LEFT JOIN (
        SELECT m.ticket_id, {_MESSAGE_TEXTS}, max(m.id) AS last_id, count(*) AS n
        FROM tickets_message m WHERE m.ticket_id >= %s AND m.ticket_id < %s GROUP BY m.ticket_id
    ) m ON m.ticket_id = t.id
    WHERE t.id >= %s AND t.id < %s AND t.merged_into_id IS NULL
    OFFSET 0
) s
{_POSTGRES_TICKET_UPSERT}
"""

SQLITE_TICKETS = f"""
{_TICKET_INSERT})
SELECT t.id, substr(t.subject, 1, {MAX_TITLE_CHARS}),
       substr(
           coalesce(nullif(c.name, '') || char(10), '')
           || coalesce((SELECT group_concat(v, char(10)) FROM (
                  SELECT replace(ci.value, '+', '') AS v FROM customers_customeridentity ci
                  WHERE ci.customer_id = t.requester_id ORDER BY ci.kind, ci.value)) || char(10), '')
           || coalesce((SELECT group_concat(b, char(10)) FROM (
                  SELECT m.body_text AS b FROM tickets_message m
                  WHERE m.ticket_id = t.id AND m.body_text != '' ORDER BY m.created_at, m.id)), ''),
           1, {MAX_BODY_CHARS}),
       t.updated_at, %s,
       (SELECT max(m.id) FROM tickets_message m WHERE m.ticket_id = t.id),
       (SELECT count(*) FROM tickets_message m WHERE m.ticket_id = t.id)
FROM tickets_ticket t
JOIN customers_customer c ON c.id = t.requester_id
WHERE t.id >= %s AND t.id < %s AND t.merged_into_id IS NULL
{_TICKET_UPSERT}
"""

# The same documents for a set of tickets (`indexing.index_tickets`), built in the database in one
# statement: the messages never pass through Python. PostgreSQL also drops the documents of tickets
# gone or merged and keeps the new words, in the same statement.
POSTGRES_TICKETS_BY_ID = f"""
WITH gone AS (
    DELETE FROM {TICKET_TABLE} d WHERE d.ticket_id = ANY(%(ids)s) AND NOT EXISTS (
        SELECT 1 FROM tickets_ticket t WHERE t.id = d.ticket_id AND t.merged_into_id IS NULL)
), docs AS (
    {_POSTGRES_TICKET_INSERT}
        SELECT {_TICKET_COLUMNS}, %(now)s, m.last_id, m.n
        {_TICKET_REQUESTER}
        LEFT JOIN LATERAL (
            SELECT {_MESSAGE_TEXTS}, max(m.id) AS last_id, count(*) AS n
            FROM tickets_message m WHERE m.ticket_id = t.id
        ) m ON true
        WHERE t.id = ANY(%(ids)s) AND t.merged_into_id IS NULL
        ORDER BY t.id
    ) s
    {_POSTGRES_TICKET_UPSERT}
    RETURNING vector
), words AS (
    INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM docs, unnest(tsvector_to_array(docs.vector)) AS w
    WHERE {WORD_FILTER} ORDER BY w ON CONFLICT (word) DO NOTHING
)
SELECT count(*) FROM docs
"""

# New messages appended to the documents of a set of tickets (`indexing.index_tickets`), for those
# whose document is still exactly what a rebuild would give but for them: the subject (as cut) is the
# title, the ticket is not merged, every message up to `last_message_id` is there (`message_count`:
# none committed late below it, none moved or deleted), the new ones (higher ids) come after them in
# the documents' order (created_at, id), and the longer body stays within MAX_BODY_CHARS. The body
# gets their texts joined as a rebuild joins them, the vector their words only (`schema.body_vector`:
# the same lexemes and positions as the whole body's), the word list their new words. Returns the
# tickets appended to (those with no new message too: their times updated); the caller rebuilds
# the others. `%(lock)s`, a superset of `%(ids)s`, is every document the caller writes, locked
# first in one order, so two callers never wait on each other in a cycle.
POSTGRES_TICKETS_APPEND = f"""
WITH locked AS (
    SELECT d.ticket_id, d.title, d.body, d.last_message_id, d.message_count FROM {TICKET_TABLE} d
    WHERE d.ticket_id = ANY(%(lock)s) ORDER BY d.ticket_id FOR UPDATE
), appended AS MATERIALIZED (  -- else its vector is computed twice (SET and RETURNING)
    SELECT d.ticket_id, t.updated_at, n.texts, n.last_id, n.n, {body_vector("n.texts")} AS vector
    FROM locked d
    JOIN tickets_ticket t ON t.id = d.ticket_id
    CROSS JOIN LATERAL (
        SELECT count(*) AS n, max(m.created_at) AS last_at FROM tickets_message m
        WHERE m.ticket_id = d.ticket_id AND m.id <= coalesce(d.last_message_id, 0)
    ) o
    CROSS JOIN LATERAL (
        SELECT {_MESSAGE_TEXTS}, max(m.id) AS last_id, count(*) AS n, min(m.created_at) AS first_at
        FROM tickets_message m WHERE m.ticket_id = d.ticket_id AND m.id > coalesce(d.last_message_id, 0)
    ) n
    WHERE d.ticket_id = ANY(%(ids)s) AND t.merged_into_id IS NULL AND d.title = left(t.subject, {MAX_TITLE_CHARS})
      AND o.n = d.message_count AND (n.n = 0 OR o.n = 0 OR n.first_at >= o.last_at)
      AND (n.texts IS NULL OR (d.body <> '' AND length(d.body) + 1 + length(n.texts) <= {MAX_BODY_CHARS}))
), docs AS (
    UPDATE {TICKET_TABLE} d SET
        body = CASE WHEN a.texts IS NULL THEN d.body ELSE d.body || E'\\n' || a.texts END,
        vector = CASE WHEN a.texts IS NULL THEN d.vector ELSE d.vector || a.vector END,
        last_message_id = coalesce(a.last_id, d.last_message_id), message_count = d.message_count + a.n,
        ticket_updated_at = a.updated_at, updated_at = %(now)s
    FROM appended a WHERE d.ticket_id = a.ticket_id
    RETURNING d.ticket_id, a.vector
), words AS (
    INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM docs, unnest(tsvector_to_array(docs.vector)) AS w
    WHERE docs.vector IS NOT NULL AND {WORD_FILTER} ORDER BY w ON CONFLICT (word) DO NOTHING
)
SELECT ticket_id FROM docs ORDER BY ticket_id
"""
_SQLITE_RANGE = "WHERE t.id >= %s AND t.id < %s AND t.merged_into_id IS NULL"
SQLITE_TICKETS_BY_ID = SQLITE_TICKETS.replace(_SQLITE_RANGE, "WHERE t.id IN ({ids}) AND t.merged_into_id IS NULL")
SQLITE_DELETE_GONE_TICKETS = (
    f"DELETE FROM {TICKET_TABLE} WHERE ticket_id IN ({{ids}}) AND ticket_id NOT IN "
    "(SELECT id FROM tickets_ticket WHERE id IN ({ids}) AND merged_into_id IS NULL)"
)

DELETE_MERGED_TICKETS = (
    f"DELETE FROM {TICKET_TABLE} WHERE ticket_id IN "
    "(SELECT id FROM tickets_ticket WHERE id >= %s AND id < %s AND merged_into_id IS NOT NULL)"
)
POSTGRES_TICKET_WORDS = (
    f"INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM {TICKET_TABLE} d, "
    f"unnest(tsvector_to_array(d.vector)) AS w WHERE d.ticket_id >= %s AND d.ticket_id < %s AND {WORD_FILTER} "
    "ORDER BY w ON CONFLICT (word) DO NOTHING"
)


POSTGRES_CUSTOMERS = f"""
INSERT INTO {CUSTOMER_TABLE} (customer_id, title, body, updated_at)
SELECT c.id, c.name, left(concat_ws(E'\\n', i.texts, o.texts), {MAX_BODY_CHARS}), %s
FROM customers_customer c
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(E'\\n',
        ci.value,
        CASE WHEN ci.kind = 'email' AND strpos(ci.value, '@') > 0 THEN concat_ws(E'\\n',
            nullif(substr(ci.value, 1, length(ci.value) - strpos(reverse(ci.value), '@')), ''),
            nullif(substr(ci.value, length(ci.value) - strpos(reverse(ci.value), '@') + 2), '')) END,
        CASE WHEN ci.kind IN ('phone', 'whatsapp') THEN (
            SELECT string_agg(substr(p.digits, g), ' ' ORDER BY g)
            FROM (SELECT replace(ci.value, '+', '') AS digits) p,
                 generate_series(1, greatest(1, length(p.digits) - 5)) AS g) END
    ), E'\\n' ORDER BY ci.kind, ci.value) AS texts
    FROM customers_customeridentity ci WHERE ci.customer_id = c.id
) i ON true
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(E'\\n', nullif(org.name, ''), nullif(org.domain, '')), E'\\n' ORDER BY org.name) AS texts
    FROM customers_customer_organizations co JOIN customers_organization org ON org.id = co.organization_id
    WHERE co.customer_id = c.id
) o ON true
WHERE c.id >= %s AND c.id < %s AND c.merged_into_id IS NULL
ON CONFLICT (customer_id) DO UPDATE SET title = excluded.title, body = excluded.body, updated_at = excluded.updated_at
"""
# The same for a set of customers (`indexing.index_customers` on PostgreSQL), in one statement with
# the gone or merged customers' documents dropped and the new words kept; it returns the customers
# whose document appeared, changed or went (their tickets' documents hold their name and addresses).
_CUSTOMER_RANGE = "WHERE c.id >= %s AND c.id < %s AND c.merged_into_id IS NULL"
_CUSTOMERS_BY_ID = POSTGRES_CUSTOMERS.replace(
    _CUSTOMER_RANGE, "WHERE c.id = ANY(%(ids)s) AND c.merged_into_id IS NULL ORDER BY c.id"
).replace("), %s\nFROM customers_customer c", "), %(now)s\nFROM customers_customer c")
POSTGRES_CUSTOMERS_BY_ID = f"""
WITH previous AS (
    SELECT customer_id, title, body FROM {CUSTOMER_TABLE} WHERE customer_id = ANY(%(ids)s)
), gone AS (
    DELETE FROM {CUSTOMER_TABLE} d WHERE d.customer_id = ANY(%(ids)s) AND NOT EXISTS (
        SELECT 1 FROM customers_customer c WHERE c.id = d.customer_id AND c.merged_into_id IS NULL)
    RETURNING d.customer_id
), docs AS (
    {_CUSTOMERS_BY_ID}
    RETURNING customer_id, title, body, vector
), words AS (
    INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM docs, unnest(tsvector_to_array(docs.vector)) AS w
    WHERE {WORD_FILTER} ORDER BY w ON CONFLICT (word) DO NOTHING
)
SELECT d.customer_id FROM docs d LEFT JOIN previous p ON p.customer_id = d.customer_id
WHERE p.customer_id IS NULL OR p.title IS DISTINCT FROM d.title OR p.body IS DISTINCT FROM d.body
UNION ALL SELECT customer_id FROM gone
"""
assert "%(now)s" in _CUSTOMERS_BY_ID and "ANY(%(ids)s)" in _CUSTOMERS_BY_ID

DELETE_MERGED_CUSTOMERS = (
    f"DELETE FROM {CUSTOMER_TABLE} WHERE customer_id IN "
    "(SELECT id FROM customers_customer WHERE id >= %s AND id < %s AND merged_into_id IS NOT NULL)"
)
POSTGRES_CUSTOMER_WORDS = (
    f"INSERT INTO {WORD_TABLE} (word) SELECT DISTINCT w FROM {CUSTOMER_TABLE} d, "
    f"unnest(tsvector_to_array(d.vector)) AS w WHERE {WORD_FILTER} ORDER BY w ON CONFLICT (word) DO NOTHING"
)
