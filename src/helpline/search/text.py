"""Words as search sees them: the tokenizer used in Python, prefix variants of inflected words.

A word is a run of letters, combining marks and digits (Unicode categories L, M, N, and private
use Co), the same rule the SQLite FTS5 table is configured with. Keeping marks inside words
matters for Telugu (vowel signs and virama are marks) and for decomposed Latin accents.

None of Georgian, Amharic, Mongolian or Telugu is stemmed by the databases, and all four inflect
by suffixes (მომხმარებელი / მომხმარებლის, ክፍያ / ክፍያዬ, захиалга / захиалгын, ఫిర్యాదు /
ఫిర్యాదులు). A query word therefore also matches by a shorter "stem prefix": the word without
its last quarter of characters, never shorter than a few characters.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

# Scripts whose characters are syllables: a 3-character prefix already says a lot.
_SYLLABIC_RANGES = ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))  # Ethiopic
_LATIN_SUFFIXES = ("ies", "ing", "es", "ed", "s")


@functools.cache
def _word_class() -> str:
    """A regex character class of every code point in categories L*, M*, N* and Co."""
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in range(sys.maxunicode + 1):
        inside = unicodedata.category(chr(cp))[0] in "LMN" or unicodedata.category(chr(cp)) == "Co"
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, sys.maxunicode))
    parts = []
    for lo, hi in ranges:
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return "[" + "".join(parts) + "]"


@functools.cache
def _word_re() -> re.Pattern[str]:
    return re.compile(_word_class() + "+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order."""
    return _word_re().findall(normalize(text))


def is_word(term: str) -> bool:
    """True when `term` is exactly one word (no separators inside)."""
    return bool(term) and _word_re().fullmatch(term) is not None


def _is_syllabic(word: str) -> bool:
    cp = ord(word[0])
    return any(lo <= cp <= hi for lo, hi in _SYLLABIC_RANGES)


def _is_latin(word: str) -> bool:
    return all(ord(c) < 0x250 for c in word)


def stem_prefixes(word: str) -> list[str]:
    """Shorter prefixes an inflected form of `word` shares with its other forms.

    Drops the last quarter of the word (at least one character) while keeping at least four
    characters (three for syllabic scripts); Latin words also lose a common English suffix.
    Digits-only words are never shortened.
    """
    if not is_word(word) or word.isdigit():
        return []
    shortest = 3 if _is_syllabic(word) else 4
    found: list[str] = []
    cut = len(word) - max(1, len(word) // 4)
    if cut >= shortest:
        found.append(word[:cut])
    if _is_latin(word):
        for suffix in _LATIN_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                found.append(word[: -len(suffix)])
                break
    return [p for p in dict.fromkeys(found) if p != word]


def shortest_prefixes(prefixes: list[str]) -> list[str]:
    """Drop every prefix that a shorter one already covers ("orde" covers "order")."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return kept


PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{5,}$")


def phone_digits(value: str) -> str:
    """The digits of a phone-like string ("+995 (555) 12-34-56" -> "995555123456"), else ""."""
    if not PHONE_RE.match(value.strip()):
        return ""
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) >= 5 else ""


def phone_variants(digits: str) -> list[str]:
    """The number and its endings of six digits or more, so a number typed without the country
    or area code still matches by prefix."""
    return [digits[i:] for i in range(0, max(1, len(digits) - 5))]
