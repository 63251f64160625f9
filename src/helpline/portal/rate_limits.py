"""Fixed-window rate limits in the Django cache (in-process when embedded, Redis in production).

Public portal forms are limited per client address and per email address, so neither a single
machine nor a flood aimed at one address can fill the desk or someone's mailbox.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from helpline.core.errors import RateLimitedError

DEFAULT_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 600


def _limits() -> tuple[int, int]:
    limit, window = getattr(settings, "PORTAL_RATE_LIMIT", (DEFAULT_LIMIT, DEFAULT_WINDOW_SECONDS))
    return int(limit), int(window)


def _key(scope: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"helpline:portal:rl:{scope}:{kind}:{digest}"


def _hit(key: str, window: int) -> int:
    """Count one attempt in the current window and return the count so far."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def check_and_count(scope: str, *, ip_address: str | None, email: str | None) -> None:
    """Count an attempt for the address and the email; refuse when either is over the limit."""
    limit, window = _limits()
    counts = []
    if ip_address:
        counts.append(_hit(_key(scope, "ip", ip_address), window))
    if email:
        counts.append(_hit(_key(scope, "email", email), window))
    if any(count > limit for count in counts):
        minutes = max(1, window // 60)
        raise RateLimitedError(
            ngettext(
                "Too many requests in a short time. Please wait %(minutes)d minute and try again.",
                "Too many requests in a short time. Please wait %(minutes)d minutes and try again.",
                minutes,
            )
            % {"minutes": minutes},
        )
