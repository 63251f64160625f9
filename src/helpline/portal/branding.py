"""What the customer-facing pages and emails call the desk, and which language they speak."""

from __future__ import annotations

from django.conf import settings

from helpline.customers.models import Customer


def brand_name() -> str:
    return str(getattr(settings, "HELPLINE_BRAND_NAME", "Helpline"))


def supported_language(code: str | None) -> str | None:
    if not code:
        return None
    languages = dict(settings.LANGUAGES)
    if code in languages:
        return code
    base = code.split("-", 1)[0].lower()
    return base if base in languages else None


def customer_language(customer: Customer | None, *fallbacks: str | None) -> str:
    """The customer's own language, else the first supported fallback, else the desk default."""
    for code in (customer.language if customer is not None else None, *fallbacks):
        chosen = supported_language(code)
        if chosen:
            return chosen
    return settings.LANGUAGE_CODE
