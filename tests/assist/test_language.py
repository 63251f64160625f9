from __future__ import annotations

import pytest

from helpline.assist.language import detect_language, dominant_script

SHORT_TEXTS = [
    ("en", "my card has not arrived"),
    ("en", "hi"),
    ("en", "refund please"),
    ("ka", "ბარათი არ მივიღე"),
    ("ka", "გამარჯობა"),
    ("ka", "პაროლი"),
    ("am", "ካርዴ አልደረሰም"),
    ("am", "ሰላም"),
    ("am", "እርዳታ እፈልጋለሁ"),
    ("mn", "Миний карт ирээгүй"),
    ("mn", "Сайн байна уу"),
    ("mn", "нууц үг"),
    ("te", "నా కార్డు రాలేదు"),
    ("te", "నమస్కారం"),
    ("te", "సహాయం కావాలి"),
]


@pytest.mark.parametrize(("expected", "text"), SHORT_TEXTS)
def test_short_texts_in_the_desk_languages(expected: str, text: str) -> None:
    assert detect_language(text, ["en", "ka", "am", "mn", "te"]).language == expected


def test_script_check_decides_without_statistics() -> None:
    detection = detect_language("ბარათი", ["en", "ka", "am", "mn", "te"])
    assert detection.method == "script" and detection.confidence == 1.0


def test_limited_to_the_served_languages() -> None:
    # Russian is not served: a Cyrillic text is Mongolian for this desk.
    assert detect_language("где моя карта", ["en", "mn"]).language == "mn"
    # When two served languages share the script, py3langid decides among them only.
    served = ["en", "fr", "de", "mn", "ru"]
    assert detect_language("où est ma carte bancaire", served).language == "fr"
    assert detect_language("wo ist meine Karte", served).language == "de"
    assert detect_language("Миний карт хаана байна вэ", served).language == "mn"
    assert detect_language("Где моя карта, я жду уже неделю", served).language == "ru"


@pytest.mark.parametrize("text", ["", "   ", "1234 5678", "!!!", "🙂🙂", "a"])
def test_no_letters_gives_no_guess(text: str) -> None:
    detection = detect_language(text, ["en", "ka"])
    assert detection.language == "" and detection.method == "none"


def test_mixed_text_follows_the_dominant_script() -> None:
    assert dominant_script("ჩემი iPhone არ მუშაობს")[0] == "GEORGIAN"
    assert detect_language("ჩემი iPhone არ მუშაობს", ["en", "ka"]).language == "ka"


def test_defaults_to_the_desk_languages() -> None:
    assert detect_language("నా కార్డు").language == "te"
