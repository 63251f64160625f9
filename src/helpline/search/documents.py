"""What goes into a search document: the text of one ticket or one customer."""

from __future__ import annotations

from collections.abc import Iterable

from helpline.customers.models import Customer, IdentityKind
from helpline.search.schema import MAX_BODY_CHARS, MAX_TITLE_CHARS
from helpline.search.text import phone_variants

_PHONE_KINDS = {IdentityKind.PHONE, IdentityKind.WHATSAPP}


def _join(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def ticket_title(subject: str) -> str:
    return (subject or "")[:MAX_TITLE_CHARS]


def ticket_body(requester_name: str, identity_values: Iterable[str], message_texts: Iterable[str]) -> str:
    """Requester name and addresses, then every message (customer messages, replies and notes)
    in order. Phone numbers lose their "+" so digits typed without it match."""
    identities = [v.replace("+", "") for v in identity_values]
    return _join([requester_name, *identities, *message_texts])[:MAX_BODY_CHARS]


def customer_body(customer: Customer) -> str:
    """Addresses and handles (e-mail also as local part and domain, phone numbers also by their
    last digits), then organisation names and domains. Uses prefetched identities/organisations."""
    parts: list[str] = []
    for identity in customer.identities.all():
        value = identity.value
        parts.append(value)
        if identity.kind == IdentityKind.EMAIL and "@" in value:
            local, domain = value.rsplit("@", 1)
            parts += [local, domain]
        elif identity.kind in _PHONE_KINDS:
            parts.append(" ".join(phone_variants(value.replace("+", ""))))
    for organization in customer.organizations.all():
        parts += [organization.name, organization.domain]
    return _join(parts)[:MAX_BODY_CHARS]
