"""Public identifiers: random, URL-safe, not guessable."""

import secrets


def new_public_id() -> str:
    return secrets.token_urlsafe(12)
