"""PostgreSQL: a recency index on ticket documents and the candidate-picking function."""

from django.db import migrations


def forwards(apps, schema_editor):
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_word_list_unique_text")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
