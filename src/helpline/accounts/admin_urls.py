"""Workspace administration pages (agents, teams, fields, tags, audit log), under /admin/."""

app_name = "admin_ui"
urlpatterns: list = []
