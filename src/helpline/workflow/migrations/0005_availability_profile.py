"""One availability profile per agent: the chat status and chat capacity (formerly chat's
AgentChatStatus) move into AgentRouting, replacing its `available` flag (not available = away)."""

from django.db import migrations, models


def merge_chat_status(apps, schema_editor):  # type: ignore[no-untyped-def]
    AgentRouting = apps.get_model("workflow", "AgentRouting")
    AgentChatStatus = apps.get_model("chat", "AgentChatStatus")
    chat = {row.agent_id: row for row in AgentChatStatus.objects.all()}
    for profile in AgentRouting.objects.all():
        record = chat.pop(profile.agent_id, None)
        profile.status = record.status if record is not None else "offline"
        if not profile.available and profile.status != "online":
            profile.status = "away"
        if record is not None:
            profile.chat_capacity = record.capacity
        profile.save(update_fields=["status", "chat_capacity"])
    for agent_id, record in chat.items():
        AgentRouting.objects.create(agent_id=agent_id, status=record.status, chat_capacity=record.capacity)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_rule_facts_function"),
        ("chat", "0002_visitor_context"),
    ]

    operations = [
        migrations.AddField(
            model_name="agentrouting",
            name="chat_capacity",
            field=models.PositiveSmallIntegerField(default=3),
        ),
        migrations.AddField(
            model_name="agentrouting",
            name="status",
            field=models.CharField(
                choices=[("online", "Online"), ("away", "Away"), ("offline", "Offline")],
                default="offline",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="agentrouting",
            name="status_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(merge_chat_status, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="agentrouting",
            name="available",
        ),
    ]
