"""Writes of the assist app: stored embeddings, detected ticket languages, the bot's settings."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from helpline.assist import embeddings
from helpline.assist.models import Embedding
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
