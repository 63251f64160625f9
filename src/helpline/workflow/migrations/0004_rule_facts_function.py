"""The rule facts of one ticket as a PL/pgSQL function (PostgreSQL only).

PL/pgSQL keeps the plan of the query inside it for the life of the database session that ran it,
with no named state the client depends on: unlike `PREPARE`, this works behind a connection pooler
in transaction mode (PgBouncer), where consecutive transactions may land on different server
sessions. See workflow.facts_sql.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION helpline_rule_facts(ticket bigint)
RETURNS TABLE (
    f_status text, f_priority text, f_type text, f_channel text, f_language text, f_subject text,
    f_custom jsonb, f_created_at timestamptz, f_updated_at timestamptz, f_team_id bigint,
    f_assignee text, f_team text, f_organization text, f_customer_name text, f_customer_language text,
    f_attributes jsonb, f_email text, f_status_since timestamptz, f_tags text[]
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT t.status::text, t.priority::text, t.ticket_type::text, t.channel::text, t.language::text,
           t.subject::text, t.custom_fields::jsonb, t.created_at, t.updated_at, t.team_id::bigint,
           u.username::text, tm.name::text, o.name::text, c.name::text, c.language::text,
           c.custom_attributes::jsonb,
           (SELECT i.value::text FROM customers_customeridentity i
             WHERE i.customer_id = c.id AND i.kind = 'email' ORDER BY i.id LIMIT 1),
           (SELECT s.status_since FROM workflow_ticketstate s WHERE s.ticket_id = t.id),
           ARRAY(SELECT g.name::text FROM tickets_ticket_tags tt JOIN tickets_tag g ON g.id = tt.tag_id
                  WHERE tt.ticket_id = t.id ORDER BY g.name)
    FROM tickets_ticket t
    JOIN customers_customer c ON c.id = t.requester_id
    LEFT JOIN accounts_user u ON u.id = t.assignee_id
    LEFT JOIN accounts_team tm ON tm.id = t.team_id
    LEFT JOIN customers_organization o ON o.id = t.organization_id
    WHERE t.id = ticket;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS helpline_rule_facts(bigint);"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_follow_up_messages"),
        ("tickets", "0006_cc_changed_event"),
        ("customers", "0001_initial"),
        ("accounts", "0002_notification_preferences"),
    ]

    operations = [migrations.RunPython(create, drop)]
