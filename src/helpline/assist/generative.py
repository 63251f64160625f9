"""An optional generative answer through an OpenAI-compatible chat-completions endpoint (a local
server or a hosted one). The model only sees the retrieved articles and must cite one of them by
its link; an answer that cites none is refused and the bot falls back to the article's own words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from helpline.assist.config import llm_api_key
from helpline.assist.models import BotSettings

log = logging.getLogger("helpline.assist.generative")
TIMEOUT_SECONDS = 20.0
MAX_ANSWER = 1500
NO_ANSWER = "NO_ANSWER"

SYSTEM_PROMPT = (
    "You answer customer questions for a help desk using ONLY the articles given. "
    "Reply in the language with code '{language}'. Keep it short. "
    "End the answer with the link of the article you used, exactly as given. "
    "If no article answers the question, reply with just " + NO_ANSWER + "."
)


class GenerativeError(Exception):
    """The endpoint failed or answered something unusable."""


@dataclass(frozen=True)
class GeneratedAnswer:
    text: str
    cited: dict[str, Any]  # the retrieved article the answer links to


def _prompt(question: str, articles: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    sources = "\n\n".join(
        f"Article {n}: {a['title']}\nLink: {a['url']}\n{a['snippet']}" for n, a in enumerate(articles, start=1)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
        {"role": "user", "content": f"{sources}\n\nQuestion: {question}"},
    ]


def complete(config: BotSettings, messages: list[dict[str, str]]) -> str:
    headers = {"Content-Type": "application/json"}
    key = llm_api_key(config)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    payload = {"model": config.llm_model, "messages": messages, "temperature": 0}
    try:
        response = httpx.post(config.llm_url, json=payload, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise GenerativeError(f"endpoint unreachable: {exc}") from exc
    if response.status_code != 200:
        raise GenerativeError(f"endpoint answered HTTP {response.status_code}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise GenerativeError("not a chat-completions response") from exc
    if not isinstance(content, str):
        raise GenerativeError("not a chat-completions response")
    return content.strip()


def cited_article(text: str, articles: list[dict[str, Any]]) -> dict[str, Any] | None:
    for article in articles:
        if article["url"] and article["url"] in text:
            return article
    return None


def generate(config: BotSettings, question: str, articles: list[dict[str, Any]], language: str) -> GeneratedAnswer:
    """The model's answer when it cites a retrieved article; GenerativeError otherwise."""
    text = complete(config, _prompt(question, articles, language))
    if not text or NO_ANSWER in text:
        raise GenerativeError("the model found no answer in the articles")
    cited = cited_article(text, articles)
    if cited is None:
        raise GenerativeError("the answer cites none of the retrieved articles")
    if len(text) > MAX_ANSWER:
        raise GenerativeError("the answer is too long")
    return GeneratedAnswer(text, cited)
