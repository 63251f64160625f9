"""Indexes the report queries need on the tickets tables (owned by the tickets app, so created here
with IF NOT EXISTS SQL; dropped on reverse). PostgreSQL gets covering (INCLUDE) columns so the
range scans are index-only; SQLite gets the same keys without them."""

from __future__ import annotations

from typing import Any

from django.db import migrations

REOPENED = (
    "kind = 'status_changed' AND (\"before\" = '\"solved\"' OR \"before\" = '\"closed\"') AND "
    "(\"after\" = '\"new\"' OR \"after\" = '\"open\"' OR \"after\" = '\"pending\"' OR \"after\" = '\"on_hold\"')"
)
# (name, table, key columns, PostgreSQL INCLUDE columns, WHERE)
INDEXES = [
    (
        "report_ticket_solved",
        "tickets_ticket",
        "solved_at",
        "created_at, first_response_at, requester_id, team_id, assignee_id",
        "merged_into_id IS NULL AND solved_at IS NOT NULL",
    ),
    (
        "report_ticket_created",
        "tickets_ticket",
        "created_at",
        "requester_id, first_response_at, solved_at, team_id, assignee_id",
        "merged_into_id IS NULL",
    ),
    ("report_message_reply", "tickets_message", "ticket_id, created_at", "", "kind = 'reply'"),
    ("report_message_inbound", "tickets_message", "created_at", "ticket_id", "kind = 'inbound'"),
    ("report_event_reopened", "tickets_ticketevent", "ticket_id", "", REOPENED),
]


def _sql(vendor: str, name: str, table: str, keys: str, include: str, where: str) -> str:
    if vendor == "sqlite":
        where = where.replace("'\"", "json('\"").replace("\"'", "\"')")  # JSON text as SQLite stores it
        include = ""
    covering = f" INCLUDE ({include})" if include else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({keys}){covering} WHERE {where}"


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_sql(vendor, *INDEXES[-1]).replace("\"' OR", "\"'::jsonb OR").replace("\"')", "\"'::jsonb)"))
        rest = INDEXES[:-1]
    else:
        rest = INDEXES
    for index in rest:
        schema_editor.execute(_sql(vendor, *index))


def drop(apps: Any, schema_editor: Any) -> None:
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_customer_segments"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
