"""Articles offered while a customer types a request, in a form the chat widget can show, and the
deflection a suggestion earns when the customer reads it and leaves without sending anything."""

from __future__ import annotations

from helpline.core.errors import NotFoundError
from helpline.knowledge import actions, selectors
from helpline.knowledge.api import article_url
from helpline.knowledge.search import suggested_articles


def suggestion_items(query: str, *, language: str) -> list[dict[str, str]]:
    """Public id, title, link and language of each suggested article (none for small talk)."""
    return [
        {
            "article": hit.translation.article.public_id,
            "title": hit.translation.published_title,
            "url": article_url(hit.translation),
            "language": hit.translation.language,
        }
        for hit in suggested_articles(query, language=language)
    ]


def count_deflection(*, public_id: str, language: str) -> bool:
    """Count one deflection for the public article read; False when there is no such article."""
    try:
        shown, _languages = selectors.published_article(None, public_id[:40], language[:16])
    except NotFoundError:
        return False
    actions.record_deflection(translation=shown)
    return True
