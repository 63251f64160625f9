"""What the demo customers write about: ten topics, each told in all five languages.

A story has six parts: the customer's `opening`, the agent's `reply` (asking for what is missing),
the customer's `followup`, the agent's `closing` answer, and the agent's internal `note`; plus the
`subject`. Replies are in the customer's language; notes are in the language of the agent writing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpline.core.demo_data import stories_am, stories_en, stories_ka, stories_mn, stories_te

LANGUAGES = ("en", "ka", "am", "mn", "te")

STORIES: dict[str, dict[str, dict[str, str]]] = {
    "en": stories_en.STORIES,
    "ka": stories_ka.STORIES,
    "am": stories_am.STORIES,
    "mn": stories_mn.STORIES,
    "te": stories_te.STORIES,
}

# A customer writing a second time, through another channel, before anyone answered.
NUDGES = {
    "en": stories_en.NUDGE,
    "ka": stories_ka.NUDGE,
    "am": stories_am.NUDGE,
    "mn": stories_mn.NUDGE,
    "te": stories_te.NUDGE,
}


@dataclass(frozen=True)
class Topic:
    key: str
    team: str
    ticket_type: str
    priority: str
    tags: tuple[str, ...]
    channels: tuple[str, ...]
    has_order: bool = False
    has_refund: bool = False
    has_region: bool = False


TOPICS = (
    Topic(
        "late_parcel",
        "Logistics",
        "incident",
        "normal",
        ("delivery", "late-delivery"),
        ("email", "chat", "whatsapp", "telegram", "sms", "phone", "api", "messenger"),
        has_order=True,
        has_region=True,
    ),
    Topic(
        "double_charge",
        "Billing",
        "problem",
        "normal",
        ("billing", "refund"),
        ("email", "portal", "phone", "chat", "web"),
        has_refund=True,
    ),
    Topic(
        "broken_router",
        "Support",
        "incident",
        "high",
        ("internet", "router"),
        ("phone", "chat", "whatsapp", "telegram", "sms", "messenger"),
        has_region=True,
    ),
    Topic(
        "return_item",
        "Logistics",
        "task",
        "normal",
        ("returns", "refund"),
        ("portal", "web", "email", "api", "chat"),
        has_order=True,
        has_refund=True,
    ),
    Topic(
        "password_reset",
        "Support",
        "question",
        "normal",
        ("account", "password"),
        ("chat", "phone", "email", "portal", "messenger"),
    ),
    Topic(
        "rude_courier",
        "Support",
        "complaint",
        "normal",
        ("complaint", "courier"),
        ("phone", "email", "messenger", "web", "post"),
        has_region=True,
    ),
    Topic(
        "thank_you", "Support", "", "low", ("praise", "courier"), ("messenger", "email", "telegram", "whatsapp", "post")
    ),
    Topic(
        "customs",
        "Logistics",
        "question",
        "normal",
        ("customs", "delivery"),
        ("email", "portal", "telegram", "whatsapp"),
        has_order=True,
        has_region=True,
    ),
    Topic("paper_invoice", "Billing", "task", "normal", ("billing", "letters"), ("post", "phone", "email")),
    Topic(
        "address_change",
        "Logistics",
        "task",
        "normal",
        ("delivery", "redirect"),
        ("sms", "whatsapp", "telegram", "chat", "phone", "api"),
        has_order=True,
        has_region=True,
    ),
)
TOPICS_BY_KEY = {t.key: t for t in TOPICS}

# Internal notes that are not about one topic: the light agent (English) and the supervisor (Georgian).
LIGHT_AGENT_NOTES = (
    "The customer also called the hotline about this; I told them the team is on it.",
    "Checked the courier's GPS log for that day: the van was on this street at the time the customer mentions.",
    "Two other customers in the same area reported the same thing this week.",
    "Long-standing customer — worth a follow-up call once this is solved.",
)
SUPERVISOR_NOTES = (
    "გთხოვთ, ეს მიმართვა პრიორიტეტულად განიხილოთ — მომხმარებელი უკვე მეორედ გვწერს.",
    "პასუხი შევამოწმე, ყველაფერი სწორადაა. კარგი სამუშაოა!",
    "თუ ხვალამდე პასუხი არ მოვა, დეპოს მენეჯერს პირადად დავურეკავ.",
)
AUTO_CLOSE_NOTE = "Closed automatically: solved {days} days ago with no reply from the customer."

# Money as each desk writes it: (format, amounts).
AMOUNTS = {
    "en": ("£{:,.2f}", (24.99, 39.9, 59.0, 12.5)),
    "ka": ("{:,} ₾", (35, 45, 89, 120)),
    "am": ("{:,} ብር", (850, 1250, 2400, 3600)),
    "mn": ("{:,}₮", (45000, 85000, 120000, 32000)),
    "te": ("₹{:,}", (499, 1299, 2499, 799)),
}


def story(language: str, topic: str) -> dict[str, str]:
    return STORIES[language][topic]
