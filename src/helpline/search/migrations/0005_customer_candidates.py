"""PostgreSQL: the candidate-picking function for customers."""

from django.db import migrations


def forwards(apps, schema_editor):
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_ticket_candidates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
