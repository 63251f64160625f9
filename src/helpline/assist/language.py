"""Language identification of short customer texts, offline.

A Unicode-script check runs first: Georgian, Ethiopic, Telugu and Mongolian scripts each name one
language the desk serves, so no statistics are needed; a script written by exactly one served
language names it too, and one written by none of them gives no answer. Other scripts (Latin,
Cyrillic, ... when several served languages share them) go to py3langid, limited to the served
languages written in that script. Texts too short or without
letters give no answer rather than a guess.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# Script name (first word of the Unicode character name) -> languages written in it.
SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "GEORGIAN": ("ka",),
    "ETHIOPIC": ("am", "ti"),
    "TELUGU": ("te",),
    "MONGOLIAN": ("mn",),
    "CYRILLIC": ("mn", "ru", "uk", "bg", "sr", "kk", "ky", "be", "mk"),
    "LATIN": ("en", "fr", "de", "es", "pt", "it", "nl", "tr", "pl", "sv", "da", "no", "fi", "id", "vi"),
    "ARABIC": ("ar", "fa", "ur"),
    "HEBREW": ("he",),
    "GREEK": ("el",),
    "ARMENIAN": ("hy",),
    "DEVANAGARI": ("hi", "mr", "ne"),
    "TAMIL": ("ta",),
    "KANNADA": ("kn",),
    "THAI": ("th",),
    "HANGUL": ("ko",),
    "HIRAGANA": ("ja",),
    "KATAKANA": ("ja",),
    "CJK": ("zh", "ja"),
}
MIN_CONFIDENCE = 0.5
SETTLING_CONFIDENCE = 0.9  # a detection this sure becomes the customer's and the ticket's language
TICKET_LANGUAGE_LETTERS = 8  # "Hi" or "ok" says too little to route a ticket by
CLASSIFY_CHARS = 800  # plenty for the n-gram model; its feature walk is a Python loop over the bytes


@dataclass(frozen=True)
class Detection:
    language: str  # "" when unknown
    confidence: float
    method: str  # "script", "langid" or "none"


def desk_languages() -> list[str]:
    configured = getattr(settings, "HELPLINE_DETECT_LANGUAGES", None)
    codes = configured or [code for code, _name in settings.LANGUAGES]
    return [c.split("-", 1)[0].lower() for c in codes]


@functools.lru_cache(maxsize=8192)
def _script_of(char: str) -> str | None:
    if not char.isalpha():
        return None
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    return name.split(" ", 1)[0]


SCRIPT_SAMPLE_CHARS = 600  # counting characters costs 0.1 µs each; a few hundred tell the script


def dominant_script(text: str) -> tuple[str | None, int]:
    """The script most letters of `text` are written in, and how many letters there are (in its
    first `SCRIPT_SAMPLE_CHARS` characters)."""
    counts: Counter[str] = Counter()
    for char, n in Counter(text[:SCRIPT_SAMPLE_CHARS]).items():  # a few dozen distinct characters, looked up once each
        script = _script_of(char)
        if script:
            counts[script] += n
    if not counts:
        return None, 0
    script, _n = counts.most_common(1)[0]
    return script, sum(counts.values())


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=False)


def _classify(text: str, candidates: list[str]) -> tuple[str, float]:
    """py3langid's best language among `candidates`, with its probability among them (the
    model is loaded once with every language; the choice is restricted here)."""
    raw = dict(_identifier().rank(text))
    scored = [(code, raw[code]) for code in candidates if code in raw]
    if not scored:
        return "", 0.0
    scale = 1.0 / math.sqrt(len(text.encode("utf-8")) or 1)  # as py3langid calibrates its probabilities
    top = max(score for _code, score in scored)
    weights = [(code, math.exp((score - top) * scale)) for code, score in scored]
    total = sum(w for _code, w in weights)
    code, weight = max(weights, key=lambda item: item[1])
    return code, weight / total


def detect_language(text: str, languages: list[str] | None = None) -> Detection:
    """The served language `text` is written in, or an empty language when unsure."""
    served = languages or desk_languages()
    script, letters = dominant_script(text or "")
    if script is None or letters < 2:
        return Detection("", 0.0, "none")
    written = SCRIPT_LANGUAGES.get(script, ())
    candidates = [code for code in written if code in served]
    if len(candidates) == 1:
        return Detection(candidates[0], 1.0, "script")
    if written and not candidates:  # e.g. Japanese on a desk that serves none of the languages of its script
        return Detection("", 0.0, "script")
    if not candidates:
        # A script we know nothing about: let the statistics pick among all served ones.
        candidates = list(served)
    if len(candidates) == 1:
        return Detection(candidates[0], 0.5, "script")
    language, confidence = _classify(text[:CLASSIFY_CHARS], candidates)
    if confidence < MIN_CONFIDENCE:
        return Detection("", float(confidence), "langid")
    return Detection(str(language), float(confidence), "langid")


def settles(detection: Detection) -> bool:
    """Whether a message's detected language is sure enough to become its author's language (when
    they have none) and its ticket's."""
    return detection.language in dict(settings.LANGUAGES) and detection.confidence >= SETTLING_CONFIDENCE


def ticket_language(detection: Detection | None, text: str) -> str:
    """The language a customer's message gives its ticket (when the ticket has none): "" when the
    detection is unsure or the text too short to route by."""
    if detection is None or not settles(detection):
        return ""
    return detection.language if _has_letters(text, TICKET_LANGUAGE_LETTERS) else ""


def _has_letters(text: str, wanted: int) -> bool:
    """`dominant_script(text)[1] >= wanted`, stopping at the `wanted`-th letter."""
    found = 0
    for char in text[:SCRIPT_SAMPLE_CHARS]:
        if _script_of(char):
            found += 1
            if found >= wanted:
                return True
    return False
