# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""Database-specific search structures that Django's model layer cannot express.

PostgreSQL: the `pg_trgm` and `btree_gin` extensions, a `tsvector` column with a GIN index on each
document table (title weighted A, body D, both through the `simple` configuration, which splits
Georgian, Ethiopic, Cyrillic and Telugu words but stems nothing) and a trigram index on the word
list. The customers' column is generated; the tickets' one is a plain column that every statement
writing ticket documents sets itself (`ticket_vector`), so that a new message's words can be
appended to it instead of all the ticket's messages being parsed again (`rebuild_sql`). Also a
recency index and the `search_ticket_candidates` function, which picks the most recently updated
matches of a query at a bounded cost whether its words are common or rare.

SQLite: an external-content FTS5 table per document table, kept in sync by triggers, with the
`unicode61` tokenizer told that combining marks (Unicode category M) belong to words: without it
Telugu words break apart at every vowel sign.

Every statement is idempotent, for a new database and one created before alike, so `reindex` and
migrations can re-apply them (SQLite drops triggers when a migration rebuilds a table).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from helpline.core.toast import use_lz4

TICKET_TABLE = "search_ticketsearchdocument"
CUSTOMER_TABLE = "search_customersearchdocument"
WORD_TABLE = "search_searchword"
TICKET_FTS = "search_ticket_fts"
CUSTOMER_FTS = "search_customer_fts"
# Longest text put in a document body (characters); keeps each tsvector well under 1 MB.
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 1_000
FTS5_TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"


def body_vector(text: str) -> str:
    """The SQL expression of the body part of a ticket document's vector, for the SQL expression
    `text`. `a || b` on tsvectors shifts the positions of `b` past the last position of `a`, so a
    document's vector with `body_vector(new text)` appended is the vector of the whole body again:
    the same lexemes and weights, and the same positions but at a tsvector's limits. to_tsvector
    keeps 255 positions of a lexeme and `||` 256, so one at its limit may get one more; where the
    old vector lost the positions of its last words (their lexemes at that limit), the new words
    sit that much lower than in a rebuild, the same distance apart. Positions only count in phrase
    queries across that boundary and in ranking by proximity; a rebuild makes them exact again."""
    return f"setweight(to_tsvector('simple'::regconfig, {text}), 'D')"


def ticket_vector(title: str, body: str) -> str:
    """The SQL expression of a document's vector from the SQL expressions of its title and body:
    what the customers' generated column computes, and every statement writing ticket documents."""
    return f"setweight(to_tsvector('simple'::regconfig, {title}), 'A') || {body_vector(body)}"


_VECTOR = ticket_vector("title", "body")


# The time column rides along in the ticket GIN index (btree_gin), so "these words, among the
# recent documents" is answered inside the index, without visiting the rows of older matches.
TICKET_VECTOR_INDEX = (
    f"CREATE INDEX IF NOT EXISTS search_ticket_vector ON {TICKET_TABLE} USING gin (vector, ticket_updated_at)"
)
CUSTOMER_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS search_customer_vector ON {CUSTOMER_TABLE} USING gin (vector)"


# Most recently updated documents first: the candidate window for common words.
TICKET_RECENT_INDEX = (
    f"CREATE INDEX IF NOT EXISTS search_ticket_recent ON {TICKET_TABLE} (ticket_updated_at DESC, ticket_id DESC)"
)
# Candidate tickets for a tsquery: the `wanted` most recently updated matches. The plan is chosen
# by match density, not left to estimates (which go badly wrong for words that are common alone
# and rare together): (1) check the WINDOW most recent documents one by one, enough when the
# words are common, or continue further (up to WINDOW_GROWTH times) when the matches found so far
# say that will be enough; (2) else, if the window had any match, the GIN index restricted to
# the RECENT most recent documents; (3) else the GIN index alone: the words are rare (or common
# only apart), so its matches are few. Sequential scans
# and, after step 1, plain index scans are off inside the function, so a GIN bitmap is always used;
# work_mem is raised so that the bitmap of a common prefix stays exact instead of lossy (a lossy
# bitmap rechecks every row of its pages).
CANDIDATES_WINDOW = 3000
WINDOW_GROWTH = 4
CANDIDATES_RECENT = 50000
TICKET_CANDIDATES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_ticket_candidates(
    q tsquery, wanted integer,
    window_rows integer DEFAULT {CANDIDATES_WINDOW}, recent_rows integer DEFAULT {CANDIDATES_RECENT})
RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_indexscan = on SET jit = off SET work_mem = '32MB'
AS $$
DECLARE
    ids bigint[];
    found integer;
    cutoff timestamptz;
BEGIN
    SELECT array_agg(r.ticket_id) INTO ids FROM (
        SELECT w.ticket_id FROM (
            SELECT d.ticket_id, d.vector FROM {TICKET_TABLE} d
            ORDER BY d.ticket_updated_at DESC, d.ticket_id DESC LIMIT window_rows
        ) w WHERE w.vector @@ q LIMIT wanted
    ) r;
    found := coalesce(cardinality(ids), 0);
    IF found >= wanted THEN
        RETURN QUERY SELECT unnest(ids);
        RETURN;
    END IF;
    IF found * {WINDOW_GROWTH} >= wanted THEN
        -- Common enough to fill `wanted` from a window up to {WINDOW_GROWTH} times longer: scan as far as needed.
        SELECT array_agg(r.ticket_id) INTO ids FROM (
            SELECT w.ticket_id FROM (
                SELECT d.ticket_id, d.vector FROM {TICKET_TABLE} d ORDER BY d.ticket_updated_at DESC, d.ticket_id DESC
                LIMIT least(window_rows * {WINDOW_GROWTH}, ceil(wanted * 1.25 * window_rows / found)::integer)
            ) w WHERE w.vector @@ q LIMIT wanted
        ) r;
        IF coalesce(cardinality(ids), 0) >= wanted THEN
            RETURN QUERY SELECT unnest(ids);
            RETURN;
        END IF;
    END IF;
    IF found > 0 THEN
        -- Some matches among the newest: look in the recent documents before all of them.
        SELECT d.ticket_updated_at INTO cutoff FROM {TICKET_TABLE} d
        ORDER BY d.ticket_updated_at DESC, d.ticket_id DESC OFFSET recent_rows LIMIT 1;
    END IF;
    PERFORM set_config('enable_indexscan', 'off', true);
    IF cutoff IS NOT NULL THEN
        SELECT array_agg(r.ticket_id) INTO ids FROM (
            SELECT d.ticket_id FROM {TICKET_TABLE} d WHERE d.vector @@ q AND d.ticket_updated_at >= cutoff
            ORDER BY d.ticket_updated_at DESC, d.ticket_id DESC LIMIT wanted
        ) r;
        IF coalesce(cardinality(ids), 0) >= wanted THEN
            RETURN QUERY SELECT unnest(ids);
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT d.ticket_id FROM {TICKET_TABLE} d WHERE d.vector @@ q
        ORDER BY d.ticket_updated_at DESC, d.ticket_id DESC LIMIT wanted;
END
$$
"""


# Candidate customers, newest first: the WINDOW newest documents checked one by one (common
# names), else a GIN bitmap (customer documents are small rows, so even many matches are cheap).
CUSTOMER_CANDIDATES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_customer_candidates(
    q tsquery, wanted integer, window_rows integer DEFAULT {CANDIDATES_WINDOW})
RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_indexscan = on SET jit = off SET work_mem = '32MB'
AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(r.customer_id) INTO ids FROM (
        SELECT w.customer_id FROM (
            SELECT d.customer_id, d.vector FROM {CUSTOMER_TABLE} d ORDER BY d.customer_id DESC LIMIT window_rows
        ) w WHERE w.vector @@ q LIMIT wanted
    ) r;
    IF coalesce(cardinality(ids), 0) >= wanted THEN
        RETURN QUERY SELECT unnest(ids);
        RETURN;
    END IF;
    PERFORM set_config('enable_indexscan', 'off', true);
    RETURN QUERY SELECT d.customer_id FROM {CUSTOMER_TABLE} d WHERE d.vector @@ q
        ORDER BY d.customer_id DESC LIMIT wanted;
END
$$
"""


def postgresql_statements() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE EXTENSION IF NOT EXISTS btree_gin"]
    statements += [
        # A plain column; a database from before keeps its generated one's values (PostgreSQL 13+).
        f"ALTER TABLE {TICKET_TABLE} ADD COLUMN IF NOT EXISTS vector tsvector",
        f"ALTER TABLE {TICKET_TABLE} ALTER COLUMN vector DROP EXPRESSION IF EXISTS",
        f"ALTER TABLE {CUSTOMER_TABLE} ADD COLUMN IF NOT EXISTS vector tsvector GENERATED ALWAYS AS ({_VECTOR}) STORED",
    ]
    for table, index in ((TICKET_TABLE, TICKET_VECTOR_INDEX), (CUSTOMER_TABLE, CUSTOMER_VECTOR_INDEX)):
        statements += [index, f"ALTER TABLE {table} SET (toast_tuple_target = 128)"]
    statements += [
        f"CREATE INDEX IF NOT EXISTS search_word_trgm ON {WORD_TABLE} USING gin (word gin_trgm_ops)",
        TICKET_RECENT_INDEX,
        "DROP FUNCTION IF EXISTS search_ticket_candidates(tsquery, integer)",  # an earlier signature
        TICKET_CANDIDATES_FUNCTION,
        CUSTOMER_CANDIDATES_FUNCTION,
    ]
    return statements


def _sqlite_fts(fts: str, table: str, key: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(title, body, content='{table}', "
        f"content_rowid='{key}', tokenize=\"{FTS5_TOKENIZE}\")",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, title, body) VALUES (new.{key}, new.title, new.body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, title, body) VALUES ('delete', old.{key}, old.title, old.body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF title, body ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, title, body) VALUES ('delete', old.{key}, old.title, old.body); "
        f"INSERT INTO {fts}(rowid, title, body) VALUES (new.{key}, new.title, new.body); END",
    ]


def sqlite_statements() -> list[str]:
    return [
        *_sqlite_fts(TICKET_FTS, TICKET_TABLE, "ticket_id"),
        *_sqlite_fts(CUSTOMER_FTS, CUSTOMER_TABLE, "customer_id"),
    ]


def sqlite_drop_statements() -> list[str]:
    drops = []
    for fts in (TICKET_FTS, CUSTOMER_FTS):
        drops += [f"DROP TRIGGER IF EXISTS {fts}_{suffix}" for suffix in ("ai", "ad", "au")]
        drops.append(f"DROP TABLE IF EXISTS {fts}")
    return drops


def postgresql_drop_statements() -> list[str]:
    return [
        "DROP FUNCTION IF EXISTS search_ticket_candidates(tsquery, integer, integer, integer)",
        "DROP FUNCTION IF EXISTS search_customer_candidates(tsquery, integer, integer)",
        "DROP INDEX IF EXISTS search_ticket_recent",
        "DROP INDEX IF EXISTS search_word_trgm",
        f"ALTER TABLE {TICKET_TABLE} DROP COLUMN IF EXISTS vector",
        f"ALTER TABLE {CUSTOMER_TABLE} DROP COLUMN IF EXISTS vector",
    ]


def ensure_schema(connection: BaseDatabaseWrapper) -> None:
    """Create what is missing for this database (no-op on other vendors)."""
    if connection.vendor == "postgresql":
        statements = postgresql_statements()
    elif connection.vendor == "sqlite":
        statements = sqlite_statements()
    else:
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    if connection.vendor == "postgresql":  # long bodies and vectors: lz4 costs far less CPU than pglz
        use_lz4(connection, {TICKET_TABLE: ["body", "vector"], CUSTOMER_TABLE: ["body", "vector"]})


def drop_schema(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        statements = postgresql_drop_statements()
    elif connection.vendor == "sqlite":
        statements = sqlite_drop_statements()
    else:
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
