"""Live chat: the widget's settings and visitors' conversations (each one a ticket with channel =
chat). Agents' availability and chat capacity live in their one routing profile
(workflow.models.AgentRouting), shared with ticket routing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id
from helpline.workflow.models import Availability

__all__ = ["Availability", "ChatSettings", "Conversation"]  # an agent's availability: workflow.availability


class ChatSettings(models.Model):
    """One row: how the widget looks and when chat is staffed. Edited under /admin/channels/chat/."""

    color = models.CharField(_("colour"), max_length=7, default="#2563eb")
    logo_url = models.URLField(_("logo URL"), blank=True)
    greeting = models.CharField(_("greeting"), max_length=300, blank=True)
    prechat_form = models.BooleanField(_("ask for name and email before the chat"), default=False)
    always_open = models.BooleanField(_("open around the clock"), default=True)
    open_days = models.JSONField(default=list, blank=True)  # ISO weekdays 1..7
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)


class Conversation(models.Model):
    """One widget visitor (signed token) and the chat ticket their messages go to."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    visitor_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_conversations"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_conversations"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    page_url = models.URLField(max_length=1000, blank=True)
    page_title = models.CharField(max_length=300, blank=True)
    browser_language = models.CharField(max_length=100, blank=True)  # as the browser sent it, e.g. "ka-GE,en"
    pages = models.JSONField(default=list, blank=True)  # the last pages visited: [{url, title, at}], newest last
    page_seen_at = models.DateTimeField(null=True, blank=True)
    visitor_read_up_to = models.BigIntegerField(default=0)  # highest agent message id the visitor has seen
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
