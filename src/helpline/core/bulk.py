# ruff: noqa: S608 -- the SQL text holds only quoted table and column names; every value is a parameter.
"""Writing many rows, each with its own values, in one statement.

Django's `bulk_update` builds a CASE expression per field with a branch per row: costly to compile in
Python and for the database to run. `update_rows` sends one `WITH v(...) AS (VALUES ...) UPDATE ...
FROM v` instead (PostgreSQL and SQLite 3.33 or later)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


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
