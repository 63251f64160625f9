"""Workspace administration pages under /admin/: agents, teams, custom fields, tags, the audit log.

Only admins reach them: anonymous visitors are sent to sign in, other agents get a 403 page.
The audit log is admins-only as well (it shows addresses and token activity of everyone).
"""
