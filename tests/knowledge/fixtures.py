"""A small multilingual knowledge base and questions in en, ka, am, mn and te."""

from __future__ import annotations

from helpline.core.actors import Actor
from helpline.knowledge import actions
from helpline.knowledge.models import ArticleTranslation

ARTICLES = {
    "reset-password": (
        "en",
        "Reset your password",
        "If you forgot your password, open the sign-in page, choose **Forgot password** and follow the link we email you.",
    ),
    "card-delivery": (
        "en",
        "When will my card arrive?",
        "New cards are delivered by post within 5 to 7 business days after you order them.",
    ),
    "refund": (
        "ka",
        "როგორ მოვითხოვო თანხის დაბრუნება",
        "თანხის დასაბრუნებლად გახსენით შეკვეთა და აირჩიეთ „დაბრუნების მოთხოვნა“. თანხა 10 დღეში ჩაირიცხება.",
    ),
    "change-address": (
        "en",
        "Change your delivery address",
        "Go to Settings, then Profile, and edit the delivery address before the order ships.",
    ),
    "cancel-subscription": (
        "en",
        "Cancel your subscription",
        "You can cancel your subscription at any time under Billing. It stays active until the end of the period.",
    ),
}

# Further translations of the articles above: (key, language, title, body).
TRANSLATIONS = [
    (
        "refund",
        "en",
        "How to request a refund",
        "To get your money back, open the order and choose Request refund. The money arrives within 10 days.",
    ),
    (
        "change-address",
        "te",
        "మీ డెలివరీ చిరునామాను మార్చండి",
        "సెట్టింగ్‌లు, ఆపై ప్రొఫైల్‌కు వెళ్లి, ఆర్డర్ పంపబడే ముందు డెలివరీ చిరునామాను మార్చండి.",
    ),
    (
        "cancel-subscription",
        "ka",
        "გამოწერის გაუქმება",
        "გამოწერის გაუქმება ნებისმიერ დროს შეგიძლიათ ანგარიშსწორების გვერდზე. ის აქტიური რჩება პერიოდის ბოლომდე.",
    ),
]

# Questions whose article exists only in another language (the vectors must bridge the gap).
CROSS_LANGUAGE = [
    ("ka", "დამავიწყდა პაროლი", "reset-password"),
    ("mn", "Нууц үгээ мартчихлаа", "reset-password"),
    ("am", "ካርዴ መቼ ይደርሳል?", "card-delivery"),
    ("te", "నా కార్డు ఎప్పుడు వస్తుంది?", "card-delivery"),
    ("mn", "Мөнгөө буцааж авмаар байна", "refund"),
]

QUESTIONS = [
    ("en", "I forgot my password", "reset-password"),
    ("ka", "დამავიწყდა პაროლი", "reset-password"),
    ("mn", "Нууц үгээ мартчихлаа", "reset-password"),
    ("am", "ካርዴ መቼ ይደርሳል?", "card-delivery"),
    ("te", "నా కార్డు ఎప్పుడు వస్తుంది?", "card-delivery"),
    ("en", "I want my money back", "refund"),
    ("mn", "Мөнгөө буцааж авмаар байна", "refund"),
    ("te", "నా చిరునామా మార్చాలి", "change-address"),
    ("ka", "მინდა გამოწერის გაუქმება", "cancel-subscription"),
]


def build_knowledge_base(section, *, publish: bool = True) -> dict[str, ArticleTranslation]:  # type: ignore[no-untyped-def]
    actor = Actor.system()
    made = {}
    for key, (language, title, body) in ARTICLES.items():
        translation = actions.create_article(
            actor=actor, section=section, language=language, title=title, body=body, key=key
        )
        if publish:
            translation = actions.publish(actor=actor, translation=translation)
        made[key] = translation
    return made


def add_translations(made: dict[str, ArticleTranslation]) -> None:
    actor = Actor.system()
    for key, language, title, body in TRANSLATIONS:
        translation = actions.add_translation(
            actor=actor, article=made[key].article, language=language, title=title, body=body
        )
        actions.publish(actor=actor, translation=translation)
