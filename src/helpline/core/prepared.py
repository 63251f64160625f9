"""Inserts and updates of one row without compiling a query each time, for the hottest writes (a
chat message and its event): the ORM builds the statement once per model (and set of fields), and
each call only turns the row's values into parameters the way the ORM does (`pre_save`, then
`get_db_prep_save`: defaults, auto_now, JSON, time zones). No signals are sent, as none are used
(hooks are explicit, see `core.hooks`).

    prepared.insert(message)                            # sets message.pk, as Model.objects.create
    prepared.update(ticket, ["updated_at", "status"])   # as ticket.save(update_fields=[...])
    with prepared.cursor(connection) as cursor: ...     # for other hot statements written by hand

On PostgreSQL these statements are also prepared on the server (`cursor`): Django binds parameters
on the client (the values quoted into the text) and never prepares, so PostgreSQL parses and plans
every statement again; here each connection parses and plans one of them once, and each execution
sends only the values. The cursor is Django's wrapper around it, so queries are still logged,
counted and wrapped (`execute_wrapper`) as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

_INSERTS: dict[tuple[str, type[Model]], tuple[str, list[Field[Any, Any]], bool]] = {}
_UPDATES: dict[tuple[str, type[Model], tuple[str, ...]], tuple[str, list[Field[Any, Any]]]] = {}


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares (see above); the usual cursor elsewhere."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return connection.cursor()
    # as BaseDatabaseWrapper._cursor and the PostgreSQL backend's create_cursor do, with another class
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django's None turns preparing off on the connection, even when asked for; its own
            # (client-binding) cursors never prepare, so only this cursor's statements are prepared
            connection.connection.prepare_threshold = ASKED_ONLY
        raw = _preparing_cursor_class()(connection.connection)
        _use_connection_time_zone(connection, raw)
        wrapped: CursorWrapper = connection._prepare_cursor(raw)  # type: ignore[attr-defined]
        return wrapped


@contextmanager
def server_binding(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within the block, statements of `connection` (the ORM's too) bind their values on the server
    instead of quoting them into the text, without preparing: for writes of many long texts (a mail
    chunk's bodies and search documents), whose values psycopg would otherwise escape in Python and
    PostgreSQL lex back out of one huge statement. Other databases: no change."""
    raw = getattr(connection, "connection", None) if connection.vendor == "postgresql" else None
    if raw is None:
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    before = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = before


ASKED_ONLY = 2**31 - 1  # a prepare threshold no statement reaches by being repeated

_PREPARING_CURSOR: list[type] = []


def _preparing_cursor_class() -> type:
    if not _PREPARING_CURSOR:
        import psycopg

        class PreparingCursor(psycopg.Cursor):
            """Server-side binding, and every statement prepared (Django sets prepare_threshold None)."""

            def execute(
                self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
            ) -> Any:
                return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

            def _maybe_prepare_gen(self, pgq: Any, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
                # psycopg keeps the statement (`_query`, what Django logs) only when not prepared
                self._query = pgq
                return super()._maybe_prepare_gen(pgq, prepare=prepare, binary=binary)

        _PREPARING_CURSOR.append(PreparingCursor)
    return _PREPARING_CURSOR[0]


def _use_connection_time_zone(connection: Any, raw: Any) -> None:
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    tzloader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != tzloader.timezone:
        register_tzloader(connection.timezone, raw)


def _insert_statement(model: type[Model], obj: Model, alias: str) -> tuple[str, list[Field[Any, Any]], bool]:
    key = (alias, model)
    if key not in _INSERTS:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
        connection = connections[alias]
        returning = bool(connection.features.can_return_columns_from_insert)
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [meta.pk] if returning else None
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(fields):  # a field with its own placeholder: not for this helper
            raise ValueError(f"{model.__name__}: the insert does not take one parameter per field")
        _INSERTS[key] = (sql, fields, returning)
    return _INSERTS[key]


def insert(obj: Model) -> Model:
    """INSERT the new row `obj` (no pk yet) and set its pk; `obj` is then as after `save()`."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    sql, fields, returning = _insert_statement(model, obj, alias)
    connection = connections[alias]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with cursor(connection) as cursor_:
        cursor_.execute(sql, params)
        if returning:
            pk = cursor_.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor_, model._meta.db_table, str(model._meta.pk.column))
    setattr(obj, model._meta.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = alias
    return obj


def update(obj: Model, field_names: list[str]) -> None:
    """UPDATE these fields of the stored row `obj` (as `save(update_fields=...)`, without the
    check that the row exists)."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    key = (alias, model, tuple(field_names))
    if key not in _UPDATES:
        meta = model._meta
        fields: list[Field[Any, Any]] = []
        for name in field_names:
            field = meta.get_field(name)
            if not isinstance(field, Field) or not field.concrete:
                raise ValueError(f"{model.__name__}.{name} is not a column")
            fields.append(field)
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608 (names from the model)
        _UPDATES[key] = (sql, fields)
    sql, fields = _UPDATES[key]
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection))
    with cursor(connection) as cursor_:
        cursor_.execute(sql, params)
