"""Message templates with `{{ placeholders }}` (rules and macros). Unknown placeholders are refused
when a template is saved; at run time every value is plain text (escaped when it becomes HTML)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from helpline.core.errors import InvalidInputError

PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}")


def _first_name(name: str) -> str:
    return (name or "").strip().split(" ")[0] if name else ""


VALUES: dict[str, Callable[[Any, Any], str]] = {
    "ticket.number": lambda t, a: str(t.number),
    "ticket.reference": lambda t, a: t.reference,
    "ticket.subject": lambda t, a: t.subject,
    "ticket.status": lambda t, a: str(t.get_status_display()),
    "ticket.priority": lambda t, a: str(t.get_priority_display()),
    "ticket.channel": lambda t, a: str(t.get_channel_display()),
    "ticket.team": lambda t, a: str(t.team or ""),
    "ticket.assignee": lambda t, a: str(t.assignee or ""),
    "customer.name": lambda t, a: str(t.requester),
    "customer.first_name": lambda t, a: _first_name(t.requester.name) or str(t.requester),
    "customer.language": lambda t, a: t.requester.language,
    "agent.name": lambda t, a: str(a) if a is not None else "",
    "agent.first_name": lambda t, a: (a.first_name or _first_name(str(a))) if a is not None else "",
}
DYNAMIC_PREFIXES = ("ticket.field.", "customer.attribute.")


def placeholders_in(template: str) -> list[str]:
    return PLACEHOLDER.findall(template or "")


def check_template(template: str, *, known_fields: set[str] | None = None) -> None:
    """Refuse a template that names a placeholder we cannot fill."""
    from helpline.tickets.models import CustomFieldDefinition

    fields = (
        known_fields if known_fields is not None else set(CustomFieldDefinition.objects.values_list("key", flat=True))
    )
    for name in placeholders_in(template):
        if name in VALUES or name.startswith("customer.attribute."):
            continue
        if name.startswith("ticket.field.") and name.removeprefix("ticket.field.") in fields:
            continue
        raise InvalidInputError(
            _("Unknown placeholder “{{ %(name)s }}”. Known: %(known)s, ticket.field.<key>, customer.attribute.<key>.")
            % {"name": name, "known": ", ".join(sorted(VALUES))},
            code="unknown_placeholder",
        )


def pick_variant(default: str, variants: dict[str, str] | None, language: str) -> str:
    """The text for `language` among per-language variants (exact code, then its base language),
    else the default."""
    variants = variants or {}
    if language and language in variants:
        return variants[language]
    return variants.get((language or "").split("-")[0]) or default


def customer_language(ticket: Any) -> str:
    """The language to write to the ticket's customer in: theirs, else the ticket's."""
    return ticket.requester.language or ticket.language


def check_variants(variants: Any, *, known_fields: set[str] | None = None) -> dict[str, str]:
    """Per-language variants of a template, keyed by the desk's language codes; refused when a code
    is not one of them or a text names an unknown placeholder. Empty texts are dropped."""
    from django.conf import settings

    if variants in (None, ""):
        return {}
    if not isinstance(variants, dict):
        raise InvalidInputError(_("Language variants must map a language code to a text."), code="invalid_variants")
    codes = {code for code, _name in settings.LANGUAGES}
    cleaned: dict[str, str] = {}
    for code, text in variants.items():
        code, text = str(code).strip(), str(text or "")
        if not text.strip():
            continue
        if code not in codes:
            raise InvalidInputError(
                _("Unknown language “%(code)s” (known: %(known)s).")
                % {"code": code, "known": ", ".join(sorted(codes))},
                code="unknown_language",
            )
        check_template(text, known_fields=known_fields)
        cleaned[code] = text
    return cleaned


def render(template: str, *, ticket: Any, agent: Any = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in VALUES:
            return VALUES[name](ticket, agent)
        if name.startswith("ticket.field."):
            return str((ticket.custom_fields or {}).get(name.removeprefix("ticket.field."), ""))
        if name.startswith("customer.attribute."):
            return str((ticket.requester.custom_attributes or {}).get(name.removeprefix("customer.attribute."), ""))
        return ""

    return PLACEHOLDER.sub(value, template or "")
