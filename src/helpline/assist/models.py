"""Stored embeddings (computed in background tasks) and answer-bot conversations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id


class Embedding(models.Model):
    """The vector of one indexed text, e.g. ("kb.translation", 42)."""

    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    language = models.CharField(max_length=16, blank=True)
    text_sha256 = models.CharField(max_length=64)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="assist_one_embedding_per_source")]


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    HANDED_OFF = "handed_off", _("Handed off")


class BotConversation(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    channel = models.CharField(max_length=20, default="chat")
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=12, choices=ConversationStatus.choices, default=ConversationStatus.OPEN)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    transcript = models.JSONField(default=list)  # [{"role": "customer"|"bot", "text", "article", "at"}]
    last_article_key = models.CharField(max_length=120, blank=True)  # the answer awaiting "did it help?"
    contact = models.CharField(max_length=254, blank=True)  # an email address the customer gave
    pending_handoff = models.CharField(max_length=30, blank=True)  # why, while we wait for an address
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
