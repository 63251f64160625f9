"""Two redundant indexes of SLA clocks go: the ticket's own (the unique (ticket, kind) constraint
starts with it) and a second one on the policy (the foreign key keeps its own). Fewer indexes to
write when a policy change rewrites every running clock's due time."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_cc_changed_event"),
        ("workflow", "0005_availability_profile"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="slaclock", name="sla_clock_policy"),
        migrations.AlterField(
            model_name="slaclock",
            name="ticket",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sla_clocks",
                to="tickets.ticket",
            ),
        ),
    ]
