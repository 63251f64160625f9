"""Knowledge-base search: hybrid retrieval over the published translations, one hit per article.

The index is built from stored vectors and kept per process; it is rebuilt only when a translation
is published, unpublished or re-embedded (a cheap aggregate query checks that on every search)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from helpline.assist.embeddings import from_bytes
from helpline.assist.models import Embedding
from helpline.assist.retrieval import Document, HybridIndex
from helpline.assist.smalltalk import is_small_talk
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.knowledge.models import ArticleTranslation
from helpline.knowledge.selectors import visible_visibilities
from helpline.knowledge.tasks import EMBEDDING_SOURCE, TITLE_EMBEDDING_SOURCE, document_text

MAX_QUERY = 500
SUGGEST_MIN_SCORE = 0.8  # below it nothing is close (greetings are kept out by is_small_talk, not by this)
SOURCES = (EMBEDDING_SOURCE, TITLE_EMBEDDING_SOURCE)


@dataclass(frozen=True)
class ArticleHit:
    translation: ArticleTranslation  # in the reader's language when the article has it
    matched_language: str  # the language of the translation that matched the query
    score: float
    semantic: float
    lexical: float


@dataclass
class _Cached:
    signature: Any
    index: HybridIndex
    meta: dict[int, tuple[int, str, str]]  # translation id -> (article id, language, visibility)


_cache: _Cached | None = None
_lock = threading.Lock()


def clean_query(query: str) -> str:
    query = query or ""
    if "\x00" in query or sum(1 for c in query if not c.isprintable() and c not in "\n\t\r") > 2:
        raise InvalidInputError(_("The question contains binary data."), code="query_binary")
    query = " ".join(query.split())
    if not query:
        raise InvalidInputError(_("Type a question or a few words to search for."), code="query_empty")
    if len(query) > MAX_QUERY:
        raise InvalidInputError(
            _("The question is too long; keep it under %(limit)d characters.") % {"limit": MAX_QUERY},
            code="query_too_long",
        )
    return query


def _signature() -> Any:
    published = ArticleTranslation.objects.filter(is_published=True).aggregate(
        n=Count("id"), at=Max("updated_at"), article_at=Max("article__updated_at")
    )
    vectors = Embedding.objects.filter(source__in=SOURCES).aggregate(n=Count("id"), at=Max("updated_at"))
    return (published["n"], published["at"], published["article_at"], vectors["n"], vectors["at"])


def _index() -> _Cached:
    global _cache
    signature = _signature()
    cached = _cache
    if cached is not None and cached.signature == signature:
        return cached
    with _lock:
        translations = list(ArticleTranslation.objects.filter(is_published=True).select_related("article"))
        vectors: dict[tuple[str, int], Any] = {
            (e.source, e.source_id): from_bytes(e.vector)
            for e in Embedding.objects.filter(source__in=SOURCES, source_id__in=[t.pk for t in translations])
        }
        documents = [
            Document(
                t.pk,
                document_text(t),
                vectors.get((EMBEDDING_SOURCE, t.pk)),
                title_vector=vectors.get((TITLE_EMBEDDING_SOURCE, t.pk)),
            )
            for t in translations
        ]
        meta = {t.pk: (t.article_id, t.language, t.article.visibility) for t in translations}
        _cache = _Cached(signature, HybridIndex(documents), meta)
        return _cache


def search_articles(query: str, *, language: str = "", actor: Actor | None = None, limit: int = 10) -> list[ArticleHit]:
    query = clean_query(query)
    limit = max(1, min(limit, 50))
    cached = _index()
    allowed = set(visible_visibilities(actor))
    hits = cached.index.search(query, limit=limit * 6, allow=lambda key: cached.meta[key][2] in allowed)
    best: dict[int, Any] = {}
    for hit in hits:
        article_id = cached.meta[hit.key][0]
        if article_id not in best:
            best[article_id] = hit
    ranked = list(best.values())[:limit]
    if not ranked:
        return []
    article_ids = [cached.meta[h.key][0] for h in ranked]
    shown = {
        t.pk: t
        for t in ArticleTranslation.objects.filter(article_id__in=article_ids, is_published=True).select_related(
            "article", "article__section"
        )
    }
    by_article_language = {(t.article_id, t.language): t for t in shown.values()}
    results = []
    for hit in ranked:
        matched = shown.get(hit.key)
        if matched is None:
            continue  # unpublished meanwhile
        translation = by_article_language.get((matched.article_id, language)) or matched
        results.append(ArticleHit(translation, matched.language, hit.score, hit.semantic, hit.lexical))
    return results


def suggested_articles(query: str, *, language: str, limit: int = 3) -> list[ArticleHit]:
    """Articles to offer while a customer types a request (portal, web form, chat widget): close
    matches only, and none for a greeting, thanks or other small talk, nor for a bad query."""
    try:
        query = clean_query(query[:MAX_QUERY])
        if len(query) < 3 or is_small_talk(query):
            return []
        return [h for h in search_articles(query, language=language, limit=limit) if h.score >= SUGGEST_MIN_SCORE]
    except InvalidInputError:
        return []


def snippet(text: str, length: int = 300) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + "…"
