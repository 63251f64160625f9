"""PostgreSQL: search document bodies and vectors compressed with lz4 instead of pglz
(helpline.core.toast; `schema.ensure_schema` sets it)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_ticket_vector_with_time")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
