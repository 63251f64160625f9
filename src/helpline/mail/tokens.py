"""Reply tokens: `support+<number>-<signature>@example.com` in Reply-To leads a reply back to its
ticket. The token is case-insensitive (some servers lower-case local parts) and signed, so nobody
can post into a ticket by guessing its number. Agents' forward addresses are signed the same way
(`support+fwd<agent id>-<signature>@…`, with a key of their own)."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_SUBJECT_NUMBER = re.compile(r"\[#(\d{1,12})\]")
# A signed plus address `local+<prefix><number>-<signature>@domain`, by what it is for.
_REPLY, _FORWARD = ("", "helpline-reply-token:"), ("fwd", "helpline-forward-address:")


def _sign(kind: tuple[str, str], number: int) -> str:
    key = (kind[1] + settings.SECRET_KEY).encode()
    return hmac.new(key, str(number).encode(), hashlib.sha256).hexdigest()[:12]


def _signed_address(kind: tuple[str, str], mailbox_address: str, number: int) -> str:
    local, _, domain = mailbox_address.partition("@")
    return f"{local}+{kind[0]}{number}-{_sign(kind, number)}@{domain}"


def _signed_number(kind: tuple[str, str], address: str) -> int | None:
    match = re.match(rf"^[^+@]+\+{kind[0]}(\d{{1,12}})-([0-9a-f]{{12}})@", address or "", re.IGNORECASE)
    if not match:
        return None
    number, signature = int(match.group(1)), match.group(2).lower()
    return number if hmac.compare_digest(signature, _sign(kind, number)) else None


def reply_address(mailbox_address: str, ticket_number: int) -> str:
    return _signed_address(_REPLY, mailbox_address, ticket_number)


def ticket_number_from_address(address: str) -> int | None:
    return _signed_number(_REPLY, address)


def forward_address(mailbox_address: str, agent_id: int) -> str:
    """An agent's own address at a mailbox (`support+fwd<id>-<signature>@…`): a customer's mail the
    agent forwards there opens a ticket for that customer. Signed, so a forged sender alone cannot."""
    return _signed_address(_FORWARD, mailbox_address, agent_id)


def forwarding_agent(address: str) -> int | None:
    """The agent whose forward address `address` is, if its signature is right."""
    return _signed_number(_FORWARD, address)


def base_address(address: str) -> str:
    local, _, domain = (address or "").lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def subject_number(subject: str) -> int | None:
    match = _SUBJECT_NUMBER.search(subject or "")
    return int(match.group(1)) if match else None
