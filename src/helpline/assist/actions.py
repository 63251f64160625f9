"""Writes of the assist app: stored embeddings."""

from __future__ import annotations

import hashlib

from helpline.assist import embeddings
from helpline.assist.models import Embedding


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
