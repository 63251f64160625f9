"""Replies that count for response time and first-contact resolution are agents' (automatic
messages such as the survey invitation are not): the partial index follows."""

from __future__ import annotations

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS report_message_agent_reply ON tickets_message (ticket_id, created_at) "
    "WHERE kind = 'reply' AND author_agent_id IS NOT NULL"
)
OLD = "CREATE INDEX IF NOT EXISTS report_message_reply ON tickets_message (ticket_id, created_at) WHERE kind = 'reply'"


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_indexes")]

    operations = [
        migrations.RunSQL(CREATE, "DROP INDEX IF EXISTS report_message_agent_reply"),
        migrations.RunSQL("DROP INDEX IF EXISTS report_message_reply", OLD),
    ]
