"""Greetings, thanks and other small talk, told apart from questions in every served language.

A short message is compared (cosine of its multilingual-e5 query vector) with two sets of anchor
phrases: small talk (greetings, thanks, good-byes, "who are you") and ordinary support questions
(orders, sign-in, payment, cards, cancelling, the app, delivery, invoices, the internet, a blocked
account), ten or more of each in en, ka, am, mn and te. It is small talk when it is closer to the
first set than to the second by at least `MARGIN`.

A plain score threshold cannot do this: a two-word question in Mongolian or Telugu is as close to
every short text in its language as "hello" is to an article (both about 0.85), so greetings pulled
articles into suggestions and got answers from the bot. The difference of the two nearest anchors
cancels what the language adds. `MARGIN` comes from `bench/kb_smalltalk.py`: the largest
difference a real question reached was 0.031 (Banking77's 3,080 test questions) and 0.028 (55
short questions in the five languages about the demo help center's articles); greetings and thanks
in the five languages that are not anchors had a median of 0.070, and 24 of 29 reached the margin.
"""

from __future__ import annotations

import functools

import numpy as np

from helpline.assist import embeddings
from helpline.search.text import words

MARGIN = 0.035
MAX_WORDS = 6  # a longer message says something; "hello" in front of a question is not small talk

SMALL_TALK: dict[str, tuple[str, ...]] = {
    "en": (
        "hi", "hello", "hey", "hi there", "good morning", "good afternoon", "good evening", "how are you",
        "thanks", "thank you", "thank you very much", "ok thanks", "bye", "goodbye", "see you",
        "have a nice day", "are you a bot", "who are you", "nice to meet you", "ok", "cool",
    ),
    "ka": (
        "გამარჯობა", "სალამი", "დილა მშვიდობისა", "საღამო მშვიდობისა", "როგორ ხარ", "მადლობა",
        "დიდი მადლობა", "ნახვამდის", "კარგად", "შენ ვინ ხარ",
    ),
    "am": ("ሰላም", "ሰላም ነው", "ጤና ይስጥልኝ", "እንደምን አደርክ", "እንደምን ነህ", "አመሰግናለሁ", "በጣም አመሰግናለሁ", "ደህና ሁን", "ቻው", "ማን ነህ"),
    "mn": (
        "сайн байна уу", "сайн уу", "өглөөний мэнд", "оройн мэнд", "юу байна", "баярлалаа", "их баярлалаа",
        "баяртай", "дараа уулзъя", "чи хэн бэ",
    ),
    "te": (
        "నమస్తే", "నమస్కారం", "హలో", "శుభోదయం", "శుభ సాయంత్రం", "ఎలా ఉన్నారు", "ధన్యవాదాలు", "చాలా ధన్యవాదాలు",
        "వెళ్ళొస్తాను", "మీరు ఎవరు",
    ),
}  # fmt: skip
QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "where is my order", "I can't log in", "how do I pay", "my card does not work", "I want to cancel",
        "the app keeps crashing", "how much does delivery cost", "I need an invoice", "the internet is not working",
        "my account is blocked",
    ),
    "ka": (
        "სად არის ჩემი შეკვეთა", "ვერ შევდივარ ანგარიშზე", "როგორ გადავიხადო", "ბარათი არ მუშაობს", "მინდა გავაუქმო",
        "აპლიკაცია ითიშება", "რა ღირს მიწოდება", "ინვოისი მჭირდება", "ინტერნეტი არ მუშაობს", "ანგარიში დაბლოკილია",
    ),
    "am": (
        "ትዕዛዜ የት ነው", "መግባት አልቻልኩም", "እንዴት ልክፈል", "ካርዴ አይሰራም", "መሰረዝ እፈልጋለሁ", "መተግበሪያው ይዘጋል",
        "ማድረስ ስንት ነው", "ደረሰኝ እፈልጋለሁ", "ኢንተርኔት አይሰራም", "መለያዬ ታግዷል",
    ),
    "mn": (
        "миний захиалга хаана байна", "нэвтэрч чадахгүй байна", "яаж төлөх вэ", "карт ажиллахгүй байна",
        "цуцлах хүсэлтэй байна", "апп гацаад байна", "хүргэлт хэдэн төгрөг вэ", "нэхэмжлэх хэрэгтэй",
        "интернэт ажиллахгүй байна", "бүртгэл хаагдсан",
    ),
    "te": (
        "నా ఆర్డర్ ఎక్కడ ఉంది", "లాగిన్ కాలేకపోతున్నాను", "ఎలా చెల్లించాలి", "నా కార్డు పనిచేయడం లేదు",
        "రద్దు చేయాలనుకుంటున్నాను", "యాప్ క్రాష్ అవుతోంది", "డెలివరీ ఖర్చు ఎంత", "ఇన్వాయిస్ కావాలి",
        "ఇంటర్నెట్ పనిచేయడం లేదు", "నా ఖాతా బ్లాక్ అయింది",
    ),
}  # fmt: skip


def _phrases(groups: dict[str, tuple[str, ...]]) -> list[str]:
    return [phrase for phrases in groups.values() for phrase in phrases]


@functools.lru_cache(maxsize=1)
def _anchors() -> tuple[np.ndarray, np.ndarray]:
    """The vectors of both anchor sets, embedded once per process (about a second on one core)."""

    def embed(phrases: list[str]) -> np.ndarray:
        return np.stack([embeddings.embed_query(p) for p in phrases]).astype(np.float32)

    return embed(_phrases(SMALL_TALK)), embed(_phrases(QUESTIONS))


def margin(text: str, vector: np.ndarray | None = None) -> float:
    """How much closer `text` is to the nearest small-talk phrase than to the nearest question."""
    small_talk, questions = _anchors()
    query = np.asarray(vector if vector is not None else embeddings.embed_query(text), dtype=np.float32)
    return float((small_talk @ query).max() - (questions @ query).max())


def is_small_talk(text: str, vector: np.ndarray | None = None) -> bool:
    """Whether a message is only a greeting, thanks or chatter: nothing to look up an article for."""
    count = len(words(text or ""))
    if count == 0 or count > MAX_WORDS:
        return False
    return margin(text, vector) >= MARGIN
