"""PostgreSQL: message bodies and meta compressed with lz4 instead of pglz (helpline.core.toast)."""

from django.db import migrations

COLUMNS = {"tickets_message": ["body_text", "body_html", "meta"]}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from helpline.core.toast import use_lz4

    use_lz4(schema_editor.connection, COLUMNS)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from helpline.core.toast import use_lz4

    use_lz4(schema_editor.connection, COLUMNS, method="pglz")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_ticket_number_sequence")]

    operations = [migrations.RunPython(forwards, backwards)]
