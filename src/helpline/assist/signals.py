"""Cheap cues in a customer's message: asking for a person, anger, yes/no after an answer.
Word lists per served language (en, ka, am, mn, te); matching is case-insensitive, on word starts
for Latin and Cyrillic, and on substrings for the other scripts. A few emoji count too (a thumbs-up
after an answer is a yes, an angry face is anger)."""

from __future__ import annotations

import re

HUMAN = [
    "agent", "human", "person", "operator", "representative", "real person", "someone", "speak to", "talk to",
    "ოპერატორ", "ადამიან", "აგენტ", "თანამშრომელ",
    "ሰው", "ወኪል", "ኦፕሬተር",
    "оператор", "хүнтэй", "ажилтан", "агент",
    "మనిషి", "ఏజెంట్", "ఆపరేటర్", "వ్యక్తి", "ప్రతినిధి",
]  # fmt: skip
ANGRY = [
    "angry", "furious", "terrible", "horrible", "worst", "ridiculous", "useless", "unacceptable", "scam",
    "disgusting", "fed up", "sick of", "wtf", "awful", "pathetic", "stupid", "hate",
    "საშინელ", "გაბრაზებ", "სირცხვილი", "უვარგის", "აღშფოთებ",
    "ተናድጃለሁ", "ተናደድኩ", "አስከፊ", "አሳፋሪ",
    "аймшигтай", "уурласан", "уурлаж", "хэрэггүй", "муухай", "залхсан",
    "కోపం", "చెత్త", "దారుణం", "అసహ్యం",
    "😡", "🤬", "😠", "💢",
]  # fmt: skip
YES = [
    "yes", "yep", "yeah", "thanks", "thank you", "solved", "that helped", "it worked", "great", "ok",
    "დიახ", "კი", "მადლობა", "მიშველა",
    "አዎ", "አመሰግናለሁ", "ረድቶኛል",
    "тийм", "баярлалаа", "болсон",
    "అవును", "ధన్యవాదాలు", "సరే",
    "👍", "👌", "✅", "🙏", "❤", "😊", "🙂", "👏", "🥰",
]  # fmt: skip
NO = [
    "no", "nope", "didn't", "did not", "not helpful", "doesn't", "does not", "not really", "not solved",
    "არა", "ვერ",
    "አይ", "አይደለም", "አልረዳኝም",
    "үгүй", "болоогүй", "биш",
    "లేదు", "కాదు",
    "👎", "❌", "😞", "🙁", "☹", "😕",
]  # fmt: skip


def _pattern(words: list[str]) -> re.Pattern[str]:
    parts = []
    for word in words:
        escaped = re.escape(word.lower())
        if re.match(r"^[a-z'\s]+$|^[\u0400-\u04ff\s]+$", word.lower()):
            parts.append(r"(?<!\w)" + escaped + (r"(?!\w)" if len(word) <= 4 else ""))
        else:
            parts.append(escaped)
    return re.compile("|".join(parts))


_HUMAN, _ANGRY, _YES, _NO = _pattern(HUMAN), _pattern(ANGRY), _pattern(YES), _pattern(NO)


def has_words(text: str) -> bool:
    """Whether a message says anything in words (letters or digits of any script), as opposed to
    emoji, stickers' emoji and punctuation only."""
    return any(c.isalnum() for c in text)


def asks_for_human(text: str, extra: list[str] | tuple[str, ...] = ()) -> bool:
    """The built-in phrases, and `extra` ones (the admin's, lower-cased) as plain substrings."""
    lowered = text.lower()
    return bool(_HUMAN.search(lowered)) or any(phrase and phrase in lowered for phrase in extra)


def is_angry(text: str) -> bool:
    if _ANGRY.search(text.lower()) or text.count("!") >= 3:
        return True
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def feedback(text: str) -> bool | None:
    """True for "yes, that helped", False for "no", None when the message is something else
    (a new question). Only short messages count as feedback."""
    lowered = text.lower().strip()
    if len(lowered.split()) > 6:
        return None
    if _NO.search(lowered):
        return False
    if _YES.search(lowered):
        return True
    return None
