"""REST endpoint of the knowledge base: ranked search. Visitors (no credentials) search public
articles; agents (token or session) also find agents-only ones."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.api_auth import API_AUTH
from helpline.core.api_errors import COMMON_ERRORS
from helpline.knowledge.search import search_articles, snippet


def anonymous(request: HttpRequest) -> str:
    """Public endpoints: callers without credentials are visitors."""
    return "visitor"


PUBLIC_AUTH: list[Any] = [*API_AUTH, anonymous]
router = Router(tags=["knowledge base"])


class SearchQuery(Schema):
    q: str = Field("", max_length=2000, description="The question or words to look for")
    lang: str = Field("", max_length=16, description="The reader's language; hits are shown in it when translated")
    limit: int = Field(10, ge=1, le=50)


class ArticleHitOut(Schema):
    article: str = Field(description="The article's public id")
    key: str = Field(description="The translation key shared by the article's languages")
    title: str
    language: str = Field(description="The language of the translation shown")
    matched_language: str = Field(description="The language of the translation that matched the query")
    url: str
    snippet: str
    score: float
    semantic: float
    lexical: float
    visibility: str


class SearchOut(Schema):
    query: str
    language: str
    results: list[ArticleHitOut]


def _actor(request: HttpRequest) -> Actor | None:
    auth = getattr(request, "auth", None)
    return Actor.of_agent(auth) if isinstance(auth, User) else None


@router.get(
    "/kb/search",
    response={200: SearchOut, **COMMON_ERRORS},
    auth=PUBLIC_AUTH,
    summary="Search the knowledge base",
)
def kb_search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    language = params.lang or settings.LANGUAGE_CODE
    hits = search_articles(params.q, language=language, actor=_actor(request), limit=params.limit)
    return {
        "query": params.q,
        "language": language,
        "results": [
            {
                "article": hit.translation.article.public_id,
                "key": hit.translation.article.key,
                "title": hit.translation.published_title,
                "language": hit.translation.language,
                "matched_language": hit.matched_language,
                "url": article_url(hit.translation),
                "snippet": snippet(hit.translation.published_text),
                "score": round(hit.score, 4),
                "semantic": round(hit.semantic, 4),
                "lexical": round(hit.lexical, 4),
                "visibility": hit.translation.article.visibility,
            }
            for hit in hits
        ],
    }


def article_url(translation: Any) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "help:article", kwargs={"language": translation.language, "public_id": translation.article.public_id}
    )
