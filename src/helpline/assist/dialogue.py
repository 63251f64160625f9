"""The answer bot's next step for one customer message, shared by the bot endpoint and the bot in
ticket threads (chat and messaging): hand off when asked for a person or on an angry message, take
"yes"/"no" after an answer, otherwise search the published articles and answer when confident.

The conversation's counters are updated here; saving it and saying something is the caller's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from helpline.assist.models import BotConversation, BotSettings, ConversationStatus
from helpline.assist.signals import asks_for_human, feedback, is_angry
from helpline.assist.smalltalk import is_small_talk
from helpline.core.errors import InvalidInputError

MAX_FAILED_TRIES = 2


@dataclass
class Step:
    kind: str  # answer | resolved | retry | hand_off | small_talk
    reason: str = ""  # why the bot hands off
    hits: list[Any] = field(default_factory=list)
    confidence: float = 0.0


def small_talk_reply(greeting: str = "") -> str:
    """What the bot says to a greeting or thanks: the desk's greeting in the language, if one is
    set and due, then an invitation to ask."""
    ask = _("What can I help you with? Ask your question in a few words.")
    return f"{greeting}\n\n{ask}" if greeting else ask


def confidence_of(hits: list[Any]) -> float:
    """0..1 from the fused score of the best article and its lead over the next one. Cosine
    similarities of multilingual-e5 sit between about 0.75 (unrelated) and 0.95 (same question)."""
    if not hits:
        return 0.0
    top = hits[0].score
    lead = top - hits[1].score if len(hits) > 1 else 0.05
    value = (top - 0.78) / 0.12 + min(lead, 0.05) * 6
    return round(max(0.0, min(1.0, value)), 3)


def search(text: str, language: str) -> list[Any]:
    from helpline.knowledge.search import search_articles

    try:
        return search_articles(text[:500], language=language, limit=3)
    except InvalidInputError:
        return []


def next_step(conversation: BotConversation, text: str, language: str, config: BotSettings) -> Step:
    if asks_for_human(text, config.phrases()):
        return Step("hand_off", "asked_for_human")
    if is_angry(text):
        return Step("hand_off", "angry")
    if conversation.last_article_key:
        verdict = feedback(text)
        if verdict is True:
            conversation.status = ConversationStatus.RESOLVED
            conversation.last_article_key = ""
            return Step("resolved")
        if verdict is False:
            conversation.failed_tries += 1
            conversation.last_article_key = ""
            if conversation.failed_tries >= MAX_FAILED_TRIES:
                return Step("hand_off", "failed_tries")
            return Step("retry")
    if is_small_talk(text):
        return Step("small_talk")  # a greeting or thanks: no article, and not a failed try
    hits = search(text, language)
    confidence = confidence_of(hits)
    if confidence < config.min_confidence:
        conversation.failed_tries += 1
        return Step("hand_off", "low_confidence", confidence=confidence)
    conversation.status = ConversationStatus.OPEN
    return Step("answer", hits=hits, confidence=confidence)
