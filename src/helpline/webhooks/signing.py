"""Webhook signatures: `X-Helpline-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.

Receivers recompute the HMAC with the endpoint secret over the timestamp header, a dot and the
raw request body, compare in constant time and refuse old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 (a public prefix, not a secret)
SIGNATURE_SCHEME = "sha256"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute_signature(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def signature_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Helpline-Timestamp": stamp, "X-Helpline-Signature": compute_signature(secret, stamp, body)}


def verify_signature(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does; used by the tests and handy for integrators written in Python."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_seconds:
        return False
    return hmac.compare_digest(compute_signature(secret, timestamp, body), signature)
