"""core.psycopg_tuning: timestamps read by psycopg's C loader come back as Django's loader gives them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from helpline.core import psycopg_tuning
from helpline.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


@on_postgres
def test_timestamps_read_in_c_equal_djangos() -> None:
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    if psycopg_tuning._utc_timestamptz_loader() is None:
        pytest.skip("psycopg without its C module")
    assert loader is psycopg_tuning._utc_timestamptz_loader()
    sql = (
        "SELECT '2024-02-29 23:59:59.999999+14'::timestamptz, '1970-01-01 00:00:00-09:30'::timestamptz, "
        "'0001-01-01 00:00:00+00'::timestamptz, NULL::timestamptz, now()"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        fast = cursor.fetchone()
        register_tzloader(dt.UTC, cursor.cursor)  # Django's own loader, on this cursor only
        cursor.execute(sql)
        django = cursor.fetchone()
    assert fast[:4] == django[:4]
    assert all(v.tzinfo is dt.UTC for v in (*fast[:3], *django[:3]))


def test_model_times_round_trip() -> None:
    ticket = make_ticket()
    at = dt.datetime(2025, 3, 30, 1, 30, 0, 123456, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    stored = Ticket.objects.get(pk=ticket.pk).updated_at
    assert stored == at and stored.utcoffset() == dt.timedelta(0)
