"""Reply tokens: `support+<number>-<signature>@example.com` in Reply-To leads a reply back to its
ticket. The token is case-insensitive (some servers lower-case local parts) and signed, so nobody
can post into a ticket by guessing its number."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_TOKEN = re.compile(r"^[^+@]+\+(\d{1,12})-([0-9a-f]{12})@", re.IGNORECASE)
_SUBJECT_NUMBER = re.compile(r"\[#(\d{1,12})\]")


def _sign(number: int) -> str:
    key = ("helpline-reply-token:" + settings.SECRET_KEY).encode()
    return hmac.new(key, str(number).encode(), hashlib.sha256).hexdigest()[:12]


def reply_address(mailbox_address: str, ticket_number: int) -> str:
    local, _, domain = mailbox_address.partition("@")
    return f"{local}+{ticket_number}-{_sign(ticket_number)}@{domain}"


def ticket_number_from_address(address: str) -> int | None:
    match = _TOKEN.match(address or "")
    if not match:
        return None
    number, signature = int(match.group(1)), match.group(2).lower()
    return number if hmac.compare_digest(signature, _sign(number)) else None


def base_address(address: str) -> str:
    local, _, domain = (address or "").lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


_FORWARD = re.compile(r"^[^+@]+\+fwd(\d{1,12})-([0-9a-f]{12})@", re.IGNORECASE)


def _sign_forward(agent_id: int) -> str:
    key = ("helpline-forward-address:" + settings.SECRET_KEY).encode()
    return hmac.new(key, str(agent_id).encode(), hashlib.sha256).hexdigest()[:12]


def forward_address(mailbox_address: str, agent_id: int) -> str:
    """An agent's own address at a mailbox (`support+fwd<id>-<signature>@…`): a customer's mail the
    agent forwards there opens a ticket for that customer. Signed, so a forged sender alone cannot."""
    local, _, domain = mailbox_address.partition("@")
    return f"{local}+fwd{agent_id}-{_sign_forward(agent_id)}@{domain}"


def forwarding_agent(address: str) -> int | None:
    """The agent whose forward address `address` is, if its signature is right."""
    match = _FORWARD.match(address or "")
    if not match:
        return None
    agent_id, signature = int(match.group(1)), match.group(2).lower()
    return agent_id if hmac.compare_digest(signature, _sign_forward(agent_id)) else None


def subject_number(subject: str) -> int | None:
    match = _SUBJECT_NUMBER.search(subject or "")
    return int(match.group(1)) if match else None
