"""Small SQL building blocks that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError, connection, connections, transaction
from django.db.models import Aggregate, Avg, Count, Expression, F, FloatField, Func, QuerySet


class Seconds(Func):
    """Seconds from the second expression to the first (end - start), as a float."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "sqlite":
            sql = f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)"
        elif connection.vendor == "postgresql":
            sql = f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))::double precision)"
        else:  # pragma: no cover
            raise NotSupportedError("Seconds() supports SQLite and PostgreSQL")
        return sql, (*end_params, *start_params)


def seconds_between(end: str, start: str) -> Seconds:
    return Seconds(F(end), F(start))


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the first value whose rank reaches fraction·n (nearest rank)."""

    function = "percentile_disc"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def distribution(
    qs: QuerySet[Any], expression: Expression, fractions: tuple[float, ...]
) -> tuple[int, float | None, dict[float, float | None]]:
    """(count, average, nearest-rank percentiles) of `expression` over `qs`, NULLs left out.

    PostgreSQL: one aggregate query with percentile_disc. SQLite (no percentile function): a COUNT
    and AVG, then one ordered, offset read per fraction; the database sorts either way."""
    if connections[qs.db].vendor == "postgresql":
        # The value is computed once per row in a fenced subquery (OFFSET 0 keeps PostgreSQL from
        # pulling it up and evaluating an expression with subqueries once per aggregate).
        try:
            inner_sql, params = qs.order_by().annotate(_v=expression).values_list("_v").query.sql_with_params()
        except EmptyResultSet:  # qs.none()
            return 0, None, dict.fromkeys(fractions)
        ranks = ", ".join(f"percentile_disc({float(p)}) WITHIN GROUP (ORDER BY v)" for p in fractions)
        with connections[qs.db].cursor() as cursor:
            sql = f"SELECT count(v), avg(v), {ranks} FROM ({inner_sql} OFFSET 0) AS s(v)"  # noqa: S608 (compiled)
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0], row[1], {p: row[2 + i] for i, p in enumerate(fractions)}
    annotated = qs.annotate(_v=expression).filter(_v__isnull=False)
    agg = annotated.aggregate(n=Count("_v"), avg=Avg("_v"))
    return agg["n"], agg["avg"], nearest_rank(annotated, F("_v"), fractions, count=agg["n"])


def nearest_rank(
    qs: QuerySet[Any], expression: Expression | F, fractions: tuple[float, ...], count: int | None = None
) -> dict[float, float | None]:
    """Nearest-rank percentiles of `expression` over `qs`: the value at rank ceil(p·n) in ascending
    order (so the median of 1, 2, 3, 4 is 2). One COUNT (unless given) plus one ordered, offset
    read per fraction; the database sorts, Python reads single values."""
    annotated = qs.annotate(_v=expression).filter(_v__isnull=False)
    n = annotated.count() if count is None else count
    result: dict[float, float | None] = {}
    for p in fractions:
        if n == 0:
            result[p] = None
            continue
        rank = max(1, math.ceil(p * n))
        value = annotated.order_by("_v").values_list("_v", flat=True)[rank - 1 : rank]
        result[p] = float(list(value)[0])
    return result


@contextmanager
def report_queries() -> Iterator[None]:
    """Run report queries with PostgreSQL's JIT off: compiling each aggregate costs more (close to
    a second) than the queries save on report-sized ranges. No effect on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")  # sorts of a quarter's tickets stay in memory
        yield
