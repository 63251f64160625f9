"""psycopg's cache of converted statements, sized for our bulk writes.

Before running a statement, psycopg splits its text at the `%s` placeholders and rewrites them
(`$1`, ...): a regular-expression pass in Python. It caches the result for up to 128 statements,
but not for a statement over 4,096 bytes or with more than 50 parameters, so the multi-row
`INSERT ... VALUES` of a mail chunk (tickets, messages, events: hundreds of parameters) is split
again on every execution: about a tenth of a mail worker's time. Those statements come in a few
shapes per table (one per row count up to the chunk size), so caching them is bounded: here the
limits are 32 KB and 2,000 parameters, in a cache of 512 statements (a few MB at most).
"""

from __future__ import annotations

from functools import lru_cache

MAX_LENGTH = 32_768
MAX_PARAMS = 2_000
SIZE = 512


def install() -> None:
    """Applied once per process (idempotent); a psycopg without these internals is left as it is."""
    try:
        from psycopg import _queries
    except ImportError:  # psycopg 2, or no PostgreSQL driver
        return
    if getattr(_queries, "_helpline_sized", False):
        return
    names = ("MAX_CACHED_STATEMENT_LENGTH", "MAX_CACHED_STATEMENT_PARAMS", "_query2pg_nocache")
    if not all(hasattr(_queries, name) for name in names):
        return
    _queries.MAX_CACHED_STATEMENT_LENGTH = MAX_LENGTH
    _queries.MAX_CACHED_STATEMENT_PARAMS = MAX_PARAMS
    _queries._query2pg = lru_cache(maxsize=SIZE)(_queries._query2pg_nocache)
    client = getattr(_queries, "_query2pg_client_nocache", None)
    if client is not None and hasattr(_queries, "_query2pg_client"):
        _queries._query2pg_client = lru_cache(maxsize=SIZE)(client)
    _queries._helpline_sized = True  # type: ignore[attr-defined]
