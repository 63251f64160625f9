"""Workspace administration pages (agents, teams, fields, tags, audit log), under /admin/."""

from django.urls import path
from django.views.generic import RedirectView

from helpline.accounts.admin_pages import agents, audit, fields, tags, teams
from helpline.mail.views import mailboxes
from helpline.messaging import admin_pages as channels

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
    path("mailboxes/quarantine/", mailboxes.quarantine, name="quarantine"),
    path("mailboxes/quarantine/<int:pk>/retry/", mailboxes.quarantine_retry, name="quarantine_retry"),
    path("mailboxes/messages/<int:pk>/", mailboxes.raw_view, name="raw_view"),
    path("mailboxes/messages/<int:pk>/raw.eml", mailboxes.raw_download, name="raw_download"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channels.channel_edit, name="channel_create"),
    path("channels/chat/", channels.chat_settings_page, name="channel_chat"),
    path("channels/<str:public_id>/", channels.channel_edit, name="channel_edit"),
]
