"""Inserts and updates of one row without compiling a query each time, for the hottest writes (a
chat message and its event): the ORM builds the statement once per model (and set of fields), and
each call only turns the row's values into parameters the way the ORM does (`pre_save`, then
`get_db_prep_save`: defaults, auto_now, JSON, time zones). No signals are sent, as none are used
(hooks are explicit, see `core.hooks`).

    prepared.insert(message)                            # sets message.pk, as Model.objects.create
    prepared.update(ticket, ["updated_at", "status"])   # as ticket.save(update_fields=[...])
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

_INSERTS: dict[tuple[str, type[Model]], tuple[str, list[Field[Any, Any]], bool]] = {}
_UPDATES: dict[tuple[str, type[Model], tuple[str, ...]], tuple[str, list[Field[Any, Any]]]] = {}


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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, str(model._meta.pk.column))
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
