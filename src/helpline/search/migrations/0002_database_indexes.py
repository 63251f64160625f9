"""Full-text structures per database: tsvector + GIN + pg_trgm on PostgreSQL, FTS5 on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


def backwards(apps, schema_editor):
    from helpline.search.schema import drop_schema

    drop_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
