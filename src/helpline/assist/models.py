"""Stored embeddings (computed in background tasks) and answer-bot conversations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.crypto import EncryptedTextField
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
    handoff_reason = models.CharField(max_length=30, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def transcript_ids(self) -> set[int]:
        """The ticket messages the bot has already taken (in ticket threads)."""
        return {int(turn["message"]) for turn in self.transcript if turn.get("message")}


BOT_CHANNELS = ("chat", "telegram", "whatsapp", "sms", "messenger", "email")


class BotSettings(models.Model):
    """One row: where the answer bot works and how. Edited under /admin/bot/; without a row the
    bot is off everywhere (the email first reply follows HELPLINE_BOT_EMAIL_AUTOREPLY)."""

    channels = models.JSONField(default=list, blank=True)  # the BOT_CHANNELS it answers on
    min_confidence = models.FloatField(_("confidence threshold"), default=0.68)
    handoff_phrases = models.TextField(_("extra hand-off phrases"), blank=True)  # one per line
    greetings = models.JSONField(default=dict, blank=True)  # language -> greeting
    generative = models.BooleanField(_("generative answers"), default=False)
    llm_url = models.URLField(_("chat-completions URL"), max_length=500, blank=True)
    llm_model = models.CharField(_("model"), max_length=120, blank=True)
    llm_key_env = models.CharField(_("API key environment variable"), max_length=120, blank=True)
    llm_key = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def phrases(self) -> list[str]:
        return [line.strip().lower() for line in self.handoff_phrases.splitlines() if line.strip()]
