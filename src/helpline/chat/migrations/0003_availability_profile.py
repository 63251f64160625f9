"""Agents' chat status and capacity now live in workflow.AgentRouting (moved by workflow 0005)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0002_visitor_context"),
        ("workflow", "0005_availability_profile"),
    ]

    operations = [
        migrations.DeleteModel(
            name="AgentChatStatus",
        ),
    ]
