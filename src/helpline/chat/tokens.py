"""Signed visitor tokens: the widget keeps one in localStorage and is the same visitor for months."""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "helpline.chat.visitor"
MAX_AGE = 400 * 24 * 3600  # seconds


def new_visitor_token() -> str:
    return signing.dumps({"v": secrets.token_urlsafe(18)}, salt=SALT, compress=False)


def visitor_from_token(token: str) -> str | None:
    """The visitor id inside a valid token, else None (unsigned, tampered with or too old)."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    visitor = data.get("v") if isinstance(data, dict) else None
    return str(visitor) if visitor else None
