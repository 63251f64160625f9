"""The word list keyed by a plain id with a unique text column (no varchar pattern index).

The list is a cache of indexed words, refilled by `reindex`, so it is simply recreated.
"""

from django.db import migrations, models


def recreate_indexes(apps, schema_editor):
    from helpline.search.schema import ensure_schema

    ensure_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_database_indexes")]

    operations = [
        migrations.DeleteModel(name="SearchWord"),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.TextField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("word",), name="search_word_unique")],
            },
        ),
        migrations.RunPython(recreate_indexes, migrations.RunPython.noop),
    ]
