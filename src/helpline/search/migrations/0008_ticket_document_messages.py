"""Ticket documents record how far their messages go (`last_message_id`, `message_count`), and on
PostgreSQL their `vector` becomes a plain column written by the indexing statements (the stored
values are kept), so that new messages are appended to it instead of the whole document rebuilt.
Existing documents have neither field: each is rebuilt in full on its next change."""

from django.db import migrations, models


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_documents_lz4")]

    operations = [
        migrations.AddField(
            model_name="ticketsearchdocument",
            name="last_message_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ticketsearchdocument",
            name="message_count",
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
