"""Who is in the demo desk: teams, agents, organisations, ticket fields and tags.

Addresses use reserved example domains and fictional phone ranges, so nothing the demo queues can
reach a real person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoTeam:
    name: str
    description: str


@dataclass(frozen=True)
class DemoAgent:
    username: str
    display_name: str
    role: str
    language: str
    time_zone: str
    teams: tuple[str, ...]

    @property
    def email(self) -> str:
        return f"{self.username}@helpline.example"

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0]


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    domain: str
    notes: str
    attributes: dict[str, Any] = field(default_factory=dict)


TEAMS = (
    DemoTeam("Support", "General questions: accounts, home internet, complaints and praise."),
    DemoTeam("Billing", "Invoices, payments, refunds and paper billing."),
    DemoTeam("Logistics", "Shipments, tracking, customs, redirects and returns."),
    DemoTeam("Georgia desk", "Customers writing in Georgian; Tbilisi office hours."),
    DemoTeam("Ethiopia desk", "Customers writing in Amharic; Addis Ababa office hours."),
    DemoTeam("Mongolia desk", "Customers writing in Mongolian; Ulaanbaatar office hours."),
    DemoTeam("Telangana desk", "Customers writing in Telugu; Hyderabad office hours."),
)

# The first four are the accounts printed at the end of `helpline demo`, one for each role.
AGENTS = (
    DemoAgent("admin", "Sam Carter", "admin", "en", "Europe/London", ("Support", "Billing")),
    DemoAgent("supervisor", "ნინო ბერიძე", "supervisor", "ka", "Asia/Tbilisi", ("Support", "Georgia desk")),
    DemoAgent("agent", "Alex Morgan", "agent", "en", "Europe/London", ("Support", "Logistics")),
    DemoAgent("light", "Tom Baker", "light_agent", "en", "Europe/London", ("Support", "Billing")),
    DemoAgent("giorgi", "გიორგი კაპანაძე", "agent", "ka", "Asia/Tbilisi", ("Georgia desk", "Logistics")),
    DemoAgent("tamar", "თამარ ლომიძე", "agent", "ka", "Asia/Tbilisi", ("Georgia desk", "Billing")),
    DemoAgent("selam", "ሰላማዊት ተስፋዬ", "agent", "am", "Africa/Addis_Ababa", ("Ethiopia desk", "Support")),
    DemoAgent("dawit", "ዳዊት በቀለ", "agent", "am", "Africa/Addis_Ababa", ("Ethiopia desk", "Logistics")),
    DemoAgent("bolormaa", "Болормаа Ганбат", "agent", "mn", "Asia/Ulaanbaatar", ("Mongolia desk", "Billing")),
    DemoAgent("temuulen", "Тэмүүлэн Гантулга", "agent", "mn", "Asia/Ulaanbaatar", ("Mongolia desk", "Logistics")),
    DemoAgent("lakshmi", "లక్ష్మి రెడ్డి", "agent", "te", "Asia/Kolkata", ("Telangana desk", "Billing")),
    DemoAgent("ravi", "రవి తేజ", "agent", "te", "Asia/Kolkata", ("Telangana desk", "Logistics")),
)
LOGIN_ACCOUNTS = ("agent", "admin", "supervisor", "light")

DESK_BY_LANGUAGE = {"ka": "Georgia desk", "am": "Ethiopia desk", "mn": "Mongolia desk", "te": "Telangana desk"}

ORGANIZATIONS = (
    DemoOrganization(
        "Northwind Books Ltd",
        "northwindbooks.example",
        "Bookshop chain; ships 200 parcels a day.",
        {"plan": "Business"},
    ),
    DemoOrganization(
        "Caucasus Trade LLC", "caucasustrade.example", "Wine exporter in Tbilisi; contract renews in spring."
    ),
    DemoOrganization(
        "Addis Logistics PLC",
        "addislogistics.example",
        "Freight forwarder; dedicated account manager.",
        {"plan": "Business"},
    ),
    DemoOrganization("Khan Steppe Retail", "khansteppe.example", "Online shop for cashmere; peak season in autumn."),
    DemoOrganization(
        "Deccan Telecom Resellers", "deccantel.example", "Resells home internet in Hyderabad and Warangal."
    ),
)

CUSTOM_FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "order_number", "label": "Order number", "field_type": "text", "position": 1},
    {
        "key": "delivery_region",
        "label": "Delivery region",
        "field_type": "choice",
        "choices": (
            "London",
            "Manchester",
            "Tbilisi",
            "Batumi",
            "Kutaisi",
            "Addis Ababa",
            "Bahir Dar",
            "Hawassa",
            "Ulaanbaatar",
            "Darkhan",
            "Erdenet",
            "Hyderabad",
            "Warangal",
            "Vijayawada",
        ),
        "position": 2,
    },
    {"key": "refund_amount", "label": "Refund amount", "field_type": "number", "position": 3},
    {"key": "vip", "label": "VIP", "field_type": "checkbox", "position": 4},
)

REGIONS = {
    "en": ("London", "Manchester"),
    "ka": ("Tbilisi", "Batumi", "Kutaisi"),
    "am": ("Addis Ababa", "Bahir Dar", "Hawassa"),
    "mn": ("Ulaanbaatar", "Darkhan", "Erdenet"),
    "te": ("Hyderabad", "Warangal", "Vijayawada"),
}

TAGS = {
    "delivery": "#2563eb",
    "late-delivery": "#dc2626",
    "customs": "#7c3aed",
    "redirect": "#0891b2",
    "returns": "#ea580c",
    "refund": "#d97706",
    "billing": "#059669",
    "letters": "#92400e",
    "internet": "#4f46e5",
    "router": "#6366f1",
    "account": "#475569",
    "password": "#64748b",
    "complaint": "#b91c1c",
    "courier": "#9333ea",
    "praise": "#16a34a",
    "vip": "#ca8a04",
    "repeat-contact": "#be185d",
}
