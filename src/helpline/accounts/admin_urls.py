"""Workspace administration pages (agents, teams, fields, tags, audit log), under /admin/."""

from django.urls import path
from django.views.generic import RedirectView

from helpline.accounts.admin_pages import agents, audit, fields, tags, teams
from helpline.assist.admin_pages import bot_settings_page
from helpline.mail.views import mailboxes, oauth, signatures
from helpline.messaging import admin_pages as channels
from helpline.workflow.admin_views import rules as workflow_rules
from helpline.workflow.admin_views import settings_pages as workflow_settings

app_name = "admin_ui"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin_ui:agents"), name="index"),
    path("agents/", agents.agent_list, name="agents"),
    path("agents/new/", agents.agent_create, name="agent_create"),
    path("agents/<int:pk>/", agents.agent_edit, name="agent_edit"),
    path("agents/<int:pk>/password/", agents.agent_set_password, name="agent_set_password"),
    path("agents/<int:pk>/reset-2fa/", agents.agent_reset_two_factor, name="agent_reset_two_factor"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/", teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/signature/", signatures.team_signature, name="team_signature"),
    path("fields/", fields.field_list, name="fields"),
    path("fields/new/", fields.field_create, name="field_create"),
    path("fields/<str:key>/edit/", fields.field_edit, name="field_edit"),
    path("tags/", tags.tag_list, name="tags"),
    path("tags/<int:pk>/", tags.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/delete/", tags.tag_delete, name="tag_delete"),
    path("audit/", audit.audit_log, name="audit"),
    path("mailboxes/", mailboxes.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", mailboxes.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:pk>/", mailboxes.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:pk>/oauth/", oauth.oauth_start, name="mailbox_oauth_start"),
    path("mailboxes/oauth/callback/", oauth.oauth_callback, name="mailbox_oauth_callback"),
    path("mailboxes/quarantine/", mailboxes.quarantine, name="quarantine"),
    path("mailboxes/undelivered/", mailboxes.undelivered, name="mail_undelivered"),
    path("mailboxes/quarantine/<int:pk>/retry/", mailboxes.quarantine_retry, name="quarantine_retry"),
    path("mailboxes/quarantine/retry/", mailboxes.quarantine_retry_all, name="quarantine_retry_all"),
    path("mailboxes/messages/<int:pk>/", mailboxes.raw_view, name="raw_view"),
    path("mailboxes/messages/<int:pk>/raw.eml", mailboxes.raw_download, name="raw_download"),
    path("mailboxes/messages/<int:pk>/images/", mailboxes.raw_remote_images, name="raw_remote_images"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channels.channel_edit, name="channel_create"),
    path("channels/chat/", channels.chat_settings_page, name="channel_chat"),
    path("bot/", bot_settings_page, name="bot"),
    path("channels/<str:public_id>/", channels.channel_edit, name="channel_edit"),
    path("automations/", workflow_rules.rule_list, name="automations"),
    path("automations/new/", workflow_rules.rule_edit, name="automation_create"),
    path("automations/<int:pk>/", workflow_rules.rule_edit, name="automation_edit"),
    path("automations/<int:pk>/toggle/", workflow_rules.rule_toggle, name="automation_toggle"),
    path("automations/<int:pk>/delete/", workflow_rules.rule_delete, name="automation_delete"),
    path("automations/<int:pk>/dry-run/", workflow_rules.rule_dry_run, name="automation_dry_run"),
    path("sla/", workflow_settings.sla_overview, name="sla"),
    path("sla/policies/new/", workflow_settings.policy_edit, name="sla_policy_create"),
    path("sla/policies/<int:pk>/", workflow_settings.policy_edit, name="sla_policy_edit"),
    path("sla/calendars/new/", workflow_settings.calendar_edit, name="calendar_create"),
    path("sla/calendars/<int:pk>/", workflow_settings.calendar_edit, name="calendar_edit"),
    path("macros/", workflow_settings.macro_list, name="macros"),
    path("macros/new/", workflow_settings.macro_edit, name="macro_create"),
    path("macros/<int:pk>/", workflow_settings.macro_edit, name="macro_edit"),
    path("routing/", workflow_settings.routing_page, name="routing"),
]
