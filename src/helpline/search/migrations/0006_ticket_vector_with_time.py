"""PostgreSQL: the ticket GIN index also holds `ticket_updated_at` (btree_gin), so recent matches
are found inside the index. Rebuilding it takes a while on a large desk."""

from django.db import migrations


def forwards(apps, schema_editor):
    from helpline.search.schema import ensure_schema

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_ticket_vector")
    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_customer_candidates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
