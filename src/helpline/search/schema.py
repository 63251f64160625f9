# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""Database-specific search structures that Django's model layer cannot express.

PostgreSQL: the `pg_trgm` extension, a generated `tsvector` column with a GIN index on each
document table (title weighted A, body D, both through the `simple` configuration, which splits
Georgian, Ethiopic, Cyrillic and Telugu words but stems nothing) and a trigram index on the word
list. Document rows keep only small values inline (`toast_tuple_target`), so scanning the rows a
GIN bitmap points at stays cheap even when a common word matches many documents.

SQLite: an external-content FTS5 table per document table, kept in sync by triggers, with the
`unicode61` tokenizer told that combining marks (Unicode category M) belong to words: without it
Telugu words break apart at every vowel sign.

Every statement is idempotent, so `reindex` can re-apply them (SQLite drops triggers when a
migration rebuilds a table).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TICKET_TABLE = "search_ticketsearchdocument"
CUSTOMER_TABLE = "search_customersearchdocument"
WORD_TABLE = "search_searchword"
TICKET_FTS = "search_ticket_fts"
CUSTOMER_FTS = "search_customer_fts"
# Longest text put in a document body (characters); keeps each tsvector well under 1 MB.
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 1_000
FTS5_TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"

_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || setweight(to_tsvector('simple'::regconfig, body), 'D')"
)


TICKET_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS search_ticket_vector ON {TICKET_TABLE} USING gin (vector)"
CUSTOMER_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS search_customer_vector ON {CUSTOMER_TABLE} USING gin (vector)"


def postgresql_statements() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    for table, index in ((TICKET_TABLE, TICKET_VECTOR_INDEX), (CUSTOMER_TABLE, CUSTOMER_VECTOR_INDEX)):
        statements += [
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS vector tsvector GENERATED ALWAYS AS ({_VECTOR}) STORED",
            index,
            f"ALTER TABLE {table} SET (toast_tuple_target = 128)",
        ]
    statements.append(f"CREATE INDEX IF NOT EXISTS search_word_trgm ON {WORD_TABLE} USING gin (word gin_trgm_ops)")
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
