# ruff: noqa: S608 -- the SQL text holds only quoted table and column names; every value is a parameter.
"""Writing many rows, each with its own values, in one statement.

Django's `bulk_update` builds a CASE expression per field with a branch per row: costly to compile in
Python and for the database to run. `update_rows` sends one `WITH v(...) AS (VALUES ...) UPDATE ...
FROM v` instead (PostgreSQL and SQLite 3.33 or later).

Django's `bulk_create` on PostgreSQL sends each column as one array (`INSERT ... SELECT * FROM
UNNEST(...)`); with the client-side parameter binding we use, psycopg builds those array literals in
Python, which for long texts (message bodies, search documents) costs several times the insert
itself: about 2 ms per 20 KB message against 0.3 ms as `INSERT ... VALUES`. `insert_rows` is
`bulk_create` in the VALUES form (Django takes it when a value is an expression)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models import Value

from helpline.core import prepared


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of every object (saved rows) in one statement; returns the rows updated."""
    if not objs or not fields:
        return 0
    meta = model._meta
    columns: list[Any] = [meta.pk, *(meta.get_field(name) for name in fields)]  # concrete fields
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":  # VALUES would otherwise guess the types (text, or unknown for NULL)
        placeholders = [f"CAST(%s AS {field.cast_db_type(connection)})" for field in columns]
    else:
        placeholders = ["%s"] * len(columns)
    row = f"({', '.join(placeholders)})"
    params: list[Any] = [
        field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs for field in columns
    ]
    table, key = quote(meta.db_table), quote(columns[0].column)
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    sql = (
        f"WITH v({names}) AS (VALUES {', '.join([row] * len(objs))}) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{key} = v.{key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def insert_rows(model: type[models.Model], objs: list[Any], *, via: str = "created_at", **options: Any) -> list[Any]:
    """`bulk_create(objs, **options)` as one `INSERT ... VALUES`. On PostgreSQL, new rows without
    options go through a statement made once per model and row count (`_values_insert`); with
    options the first object's `via` field (a plain column) goes in as an expression, which keeps
    Django from the UNNEST form. Elsewhere it is `bulk_create`."""
    if not objs:
        return objs
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":  # bulk_create writes VALUES there already
        return model._default_manager.bulk_create(objs, **options)
    if not options and all(obj.pk is None for obj in objs):
        return _values_insert(model, objs, connection)
    if len(objs) < 2 or not any(f.name == via for f in model._meta.concrete_fields):
        with prepared.server_binding(connection):
            return model._default_manager.bulk_create(objs, **options)
    field = model._meta.get_field(via)
    assert isinstance(field, models.Field)
    first = objs[0]
    value = getattr(first, field.attname)
    setattr(first, field.attname, Value(value, output_field=field))
    connection.ensure_connection()
    try:
        with prepared.server_binding(connection):  # long texts sent as values, not escaped into the SQL
            return model._default_manager.bulk_create(objs, **options)
    finally:
        setattr(first, field.attname, value)


_STATEMENTS: dict[tuple[str, type[models.Model], int], tuple[str, list[Any]]] = {}
CACHED_ROWS = 100  # statements for up to this many rows are kept (one per model and row count)
MAX_PARAMETERS = 30_000  # PostgreSQL's protocol takes at most 65,535 per statement


def _statement(model: type[models.Model], rows: int, connection: Any) -> tuple[str, list[Any]]:
    key = (connection.alias, model, rows)
    found = _STATEMENTS.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field and not f.generated]
        quote = connection.ops.quote_name
        row = f"({', '.join(['%s'] * len(fields))})"
        found = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * rows)} RETURNING {quote(meta.pk.column)}",
            fields,
        )
        if rows <= CACHED_ROWS:
            _STATEMENTS[key] = found
    return found


def _values_insert(model: type[models.Model], objs: list[Any], connection: Any) -> list[Any]:
    """What `bulk_create` does for new rows on PostgreSQL (related objects saved since they were
    set give their ids, fields their `pre_save` and database values, the ids come back in order),
    without compiling the statement each time: Django's insert compiler costs more than running
    the statement. Values are bound on the server (long texts are not escaped into the text)."""
    rows = max(MAX_PARAMETERS // max(len(model._meta.concrete_fields), 1), 1)
    if len(objs) > rows:
        for start in range(0, len(objs), rows):
            _values_insert(model, objs[start : start + rows], connection)
        return objs
    sql, fields = _statement(model, len(objs), connection)
    params: list[Any] = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    connection.ensure_connection()
    with prepared.server_binding(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    attname = model._meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, attname, pk)
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
