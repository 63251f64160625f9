"""What the answer bot says when an article answers: the article's title, a snippet of its own
published words and its link; or, when generative answers are on, the model's answer if it cites
one of the retrieved articles (otherwise the article's own words after all)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from helpline.assist.config import generative_ready
from helpline.assist.models import BotSettings

log = logging.getLogger("helpline.assist")


@dataclass(frozen=True)
class Answer:
    text: str
    article: dict[str, Any]
    generated: bool = False


def article_of(hit: Any) -> dict[str, Any]:
    from helpline.knowledge.api import article_url
    from helpline.knowledge.search import snippet

    best = hit.translation
    return {
        "key": best.article.key,
        "title": best.published_title,
        "url": article_url(best),
        "snippet": snippet(best.published_text, 400),
        "language": best.language,
    }


def extractive_text(article: dict[str, Any]) -> str:
    return f"{article['title']}\n{article['snippet']}\n{article['url']}"


def compose(*, question: str, hits: list[Any], language: str, config: BotSettings) -> Answer:
    """The answer to `question` from the best hits (at least one)."""
    article = article_of(hits[0])
    if generative_ready(config):
        from helpline.assist.generative import GenerativeError, generate

        try:
            generated = generate(config, question, [article_of(h) for h in hits[:3]], language)
        except GenerativeError as exc:
            log.info("generative answer refused: %s", exc)
        else:
            return Answer(generated.text, generated.cited, generated=True)
    return Answer(extractive_text(article), article)
