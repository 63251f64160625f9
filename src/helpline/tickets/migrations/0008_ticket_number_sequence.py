"""Ticket numbers from a PostgreSQL sequence (helpline.tickets.numbers), continuing after the
highest number handed out so far; SQLite keeps the counter row."""

from django.db import migrations

SEQUENCE = "tickets_ticket_number_seq"


def create_sequence(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(COALESCE((SELECT MAX(number) FROM tickets_ticket), 0),"
            " COALESCE((SELECT value FROM tickets_counter WHERE name = 'ticket'), 0), 999)"
        )
        last = int(cursor.fetchone()[0])
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {last + 1} MINVALUE 1")


def drop_sequence(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_counter (name, value) VALUES ('ticket', (SELECT COALESCE(MAX(number), 999) FROM tickets_ticket))"
            " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
        )
        cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_event_feed")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
