"""psycopg tuned for our workload: its cache of converted statements sized for bulk writes, and
timestamps read by its C loader.

Statements. Before running a statement, psycopg splits its text at the `%s` placeholders and rewrites them
(`$1`, ...): a regular-expression pass in Python. It caches the result for up to 128 statements,
but not for a statement over 4,096 bytes or with more than 50 parameters, so the multi-row
`INSERT ... VALUES` of a mail chunk (tickets, messages, events: hundreds of parameters) is split
again on every execution: about a tenth of a mail worker's time. Those statements come in a few
shapes per table (one per row count up to the chunk size), so caching them is bounded: here the
limits are 32 KB and 2,000 parameters, in a cache of 512 statements (a few MB at most).

Timestamps. Django reads `timestamptz` values through a Python subclass of psycopg's Python loader
(to attach its connection's time zone), about 5 µs a value against 1 µs for psycopg's C loader: a
tenth of the event-feed thread's time (every event, ticket and message row has several). When the
two give the same result, that is when Django's time zone is UTC and so is the session's (Django
sets it when connecting), each PostgreSQL connection reads them with the C loader instead.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

MAX_LENGTH = 32_768
MAX_PARAMS = 2_000
SIZE = 512


def install() -> None:
    """Applied once per process (idempotent); a psycopg without these internals is left as it is."""
    _size_statement_cache()
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_timestamps_in_c, dispatch_uid="helpline.psycopg_tuning")


def _size_statement_cache() -> None:
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


_UTC_LOADER: list[type] = []


def _utc_timestamptz_loader() -> type | None:
    """A loader class that Django takes for its own (its `timezone` is UTC), whose instances read
    with psycopg's C loader (not subclassable, so each instance's `load` is the C loader's)."""
    if not _UTC_LOADER:
        try:
            from psycopg import _cmodule
            from psycopg.adapt import Loader
        except ImportError:
            return None
        native = getattr(_cmodule._psycopg, "TimestamptzLoader", None) if _cmodule._psycopg else None
        if native is None:
            return None

        class UtcTimestamptzLoader(Loader):
            timezone = dt.UTC

            def __init__(self, oid: int, context: Any = None) -> None:
                super().__init__(oid, context)
                self.load = native(oid, context).load  # type: ignore[method-assign,misc]

            def load(self, data: Any) -> Any:  # replaced on each instance
                raise NotImplementedError

        _UTC_LOADER.append(UtcTimestamptzLoader)
    return _UTC_LOADER[0]


def _read_timestamps_in_c(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or getattr(connection, "timezone", None) is not dt.UTC:
        return
    raw = getattr(connection, "connection", None)
    pgconn = getattr(raw, "pgconn", None)
    if raw is None or pgconn is None or pgconn.parameter_status(b"TimeZone") != b"UTC":
        return
    loader = _utc_timestamptz_loader()
    if loader is not None:
        raw.adapters.register_loader("timestamptz", loader)
