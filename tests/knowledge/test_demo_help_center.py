"""The demo help center (articles in en, ka, am, mn and te): short Mongolian and Telugu questions, as
customers type them, find their article; greetings and thanks typed into a request form pull no
articles, while real questions do."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.assist.smalltalk import is_small_talk
from helpline.knowledge.search import search_articles

pytestmark = pytest.mark.django_db

MONGOLIAN = [
    ("илгээмж хаана байна", "track-parcel"),
    ("илгээмж ирээгүй", "track-parcel"),
    ("илгээмжээ хянах", "track-parcel"),
    ("хаяг солих", "change-address"),
    ("хаягаа өөрчлөх", "change-address"),
    ("бараа буцаах", "returns"),
    ("буцаалт хийх", "returns"),
    ("хоёр удаа төлбөр суусан", "double-charge"),
    ("давхар төлбөр", "double-charge"),
    ("чиглүүлэгч улаан гэрэл", "router-red-light"),
    ("улаан гэрэл анивчиж байна", "router-red-light"),
    ("нууц үг мартсан", "password-reset"),
    ("нууц үгээ сэргээх", "password-reset"),
]
TELUGU = [
    ("నా పార్సెల్ ఎక్కడ", "track-parcel"),
    ("పార్సెల్ రాలేదు", "track-parcel"),
    ("చిరునామా మార్చాలి", "change-address"),
    ("డెలివరీ చిరునామా మార్పు", "change-address"),
    ("వస్తువు తిరిగి ఇవ్వాలి", "returns"),
    ("రిటర్న్ చేయడం ఎలా", "returns"),
    ("రెండుసార్లు ఛార్జ్ చేశారు", "double-charge"),
    ("డబ్బు రెండుసార్లు కట్", "double-charge"),
    ("రౌటర్ ఎరుపు లైట్", "router-red-light"),
    ("పాస్‌వర్డ్ మర్చిపోయాను", "password-reset"),
    ("పాస్‌వర్డ్ రీసెట్", "password-reset"),
]
# What the brief names, then greetings and thanks that are not among the small-talk anchors.
GREETINGS = [
    ("en", "hi"), ("en", "hello"), ("ka", "გამარჯობა"), ("mn", "сайн байна уу"), ("am", "ሰላም"), ("te", "నమస్తే"),
    ("en", "thanks"), ("en", "hey there"), ("en", "many thanks"), ("ka", "მადლობთ"), ("am", "ሰላም ነሽ"),
    ("mn", "маш их баярлалаа"), ("te", "థాంక్స్"),
]  # fmt: skip


@pytest.mark.parametrize("language,questions", [("mn", MONGOLIAN), ("te", TELUGU)])
def test_short_questions_find_their_article(
    demo_kb: dict[str, int], language: str, questions: list[tuple[str, str]]
) -> None:
    first = []
    for question, expected in questions:
        assert 2 <= len(question.split()) <= 4
        hits = search_articles(question, language=language, limit=3)
        keys = [h.translation.article.key for h in hits]
        assert expected in keys, (question, keys)
        assert hits[0].translation.language == language  # shown in the reader's language
        if keys[0] == expected:
            first.append(question)
    assert len(first) >= len(questions) - 1, set(q for q, _k in questions) - set(first)


def test_api_search_short_mongolian_and_telugu(client: Client, demo_kb: dict[str, int]) -> None:
    for question, language, expected in [
        ("нууц үг мартсан", "mn", "password-reset"),
        ("రౌటర్ ఎరుపు లైట్", "te", "router-red-light"),
    ]:
        top = client.get("/api/kb/search", {"q": question, "lang": language}).json()["results"][0]
        assert top["key"] == expected and top["matched_language"] == language and top["score"] > 0.8


def test_greetings_pull_no_articles_while_typing(client: Client, demo_kb: dict[str, int]) -> None:
    for language, text in GREETINGS:
        assert is_small_talk(text), text
        page = client.get("/help/suggest/", {"q": text, "lang": language}).content.decode()
        assert "data-kb-article" not in page, text


def test_real_questions_still_pull_their_article(client: Client, demo_kb: dict[str, int]) -> None:
    for language, text, title in [
        ("en", "my parcel has not arrived", "Where is my parcel?"),
        ("mn", "нууц үг мартсан", "Нууц үгээ сэргээх"),
        ("te", "రౌటర్ ఎరుపు లైట్", "రౌటర్ ఎరుపు లైట్ మెరుస్తోంది"),
        ("ka", "ამანათი არ მოსულა", "სად არის ჩემი ამანათი?"),
        ("en", "hello, I was charged twice for one order", "Charged twice or a refund is missing"),
    ]:
        assert not is_small_talk(text), text
        page = client.get("/help/suggest/", {"q": text, "lang": language}).content.decode()
        assert "data-kb-article" in page and title in page, text
