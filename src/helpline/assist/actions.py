"""Writes of the assist app: stored embeddings, detected ticket languages, the bot's settings."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from helpline.assist import embeddings
from helpline.assist.models import BOT_CHANNELS, BotSettings, Embedding
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets.models import Ticket

log = logging.getLogger("helpline.assist")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_embedding(*, source: str, source_id: int, text: str, language: str = "") -> Embedding:
    """Embed `text` and keep the vector; unchanged text is not embedded again."""
    digest = text_digest(text)
    existing = Embedding.objects.filter(source=source, source_id=source_id).first()
    if existing is not None and existing.text_sha256 == digest:
        return existing
    vector = embeddings.embed_passage_cached(text)
    embedding, _created = Embedding.objects.update_or_create(
        source=source,
        source_id=source_id,
        defaults={"vector": vector, "text_sha256": digest, "language": language},
    )
    return embedding


def delete_embedding(*, source: str, source_id: int) -> None:
    Embedding.objects.filter(source=source, source_id=source_id).delete()


def set_detected_ticket_language(*, actor: Actor, ticket: Ticket, language: str) -> bool:
    """The language detected in a customer's message becomes the ticket's language when it has none
    (routing then matches `lang:<code>` skills). Like a message's detected language this records no
    event: nothing a person did. Returns whether the ticket changed."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language."), code="invalid_language")
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, language="").update(language=language)
    if changed:
        ticket.language = language
        log.info("ticket %s: language %s detected by %s", ticket.pk, language, actor)
    return bool(changed)


def set_detected_ticket_languages(*, actor: Actor, tickets: list[Ticket], language: str) -> int:
    """`set_detected_ticket_language` for many tickets (read without a language) in one statement.
    Returns how many changed."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language."), code="invalid_language")
    changed = Ticket.objects.filter(pk__in={t.pk for t in tickets}, language="").update(language=language)
    for ticket in tickets:
        ticket.language = ticket.language or language
    if changed:
        log.info("%s tickets: language %s detected by %s", changed, language, actor)
    return int(changed)


BOT_FIELDS = (
    "channels",
    "min_confidence",
    "handoff_phrases",
    "greetings",
    "generative",
    "llm_url",
    "llm_model",
    "llm_key_env",
)


def update_bot_settings(*, actor: Actor, llm_key: str | None = None, **changes: Any) -> BotSettings:
    """Save the answer bot's settings (admins only). `llm_key` None keeps the stored key, "" clears
    it; it is stored encrypted. Generative answers need the endpoint URL and the model."""
    from helpline.assist.config import bot_settings
    from helpline.tickets import permissions

    permissions.require(permissions.can_manage_settings(actor))
    if set(changes) - set(BOT_FIELDS):
        raise InvalidInputError(_("Unknown setting."), code="invalid_setting")
    channels = changes.get("channels")
    if channels is not None and set(channels) - set(BOT_CHANNELS):
        raise InvalidInputError(_("Unknown channel."), code="invalid_channel")
    confidence = changes.get("min_confidence")
    if confidence is not None and not 0.0 <= float(confidence) <= 1.0:
        raise InvalidInputError(_("The confidence threshold is between 0 and 1."), code="invalid_confidence")
    greetings = changes.get("greetings")
    if greetings is not None:
        changes["greetings"] = {code: text.strip()[:300] for code, text in greetings.items() if text and text.strip()}
    env_name = changes.get("llm_key_env") or ""
    if env_name and not env_name.replace("_", "").isalnum():
        raise InvalidInputError(_("Not an environment variable name."), code="invalid_env_name")
    with transaction.atomic():
        config = BotSettings.objects.select_for_update().order_by("pk").first() or bot_settings()
        for field, value in changes.items():
            setattr(config, field, value)
        if llm_key is not None:
            config.llm_key = llm_key.strip()
        if config.generative and not (config.llm_url and config.llm_model):
            raise InvalidInputError(
                _("Generative answers need the endpoint URL and the model."), code="generative_incomplete"
            )
        config.save()
    log.info("answer bot settings saved by %s", actor)
    return config
