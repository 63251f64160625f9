"""OAuth2 access tokens for XOAUTH2 (Microsoft 365, Google): refreshed with the stored refresh
token shortly before they expire, and kept encrypted on the mailbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import httpx
from django.utils import timezone

from helpline.core.errors import InvalidInputError
from helpline.mail.models import Mailbox

EARLY_REFRESH = dt.timedelta(seconds=120)
T = TypeVar("T")


class TokenRefreshError(InvalidInputError):
    code = "oauth_refresh_failed"


def _still_valid(mailbox: Mailbox) -> bool:
    return bool(
        mailbox.oauth_access_token
        and mailbox.oauth_expires_at
        and mailbox.oauth_expires_at - EARLY_REFRESH > timezone.now()
    )


def access_token(mailbox: Mailbox, *, force: bool = False) -> str:
    if not force and _still_valid(mailbox):
        return mailbox.oauth_access_token
    return refresh(mailbox)


def sign_in(
    mailbox: Mailbox, authenticate: Callable[[str], T], rejected: type[Exception] | tuple[type[Exception], ...]
) -> T:
    """`authenticate(token)` with the stored token; when the server refuses a token we still
    thought valid (revoked or expired early, as Microsoft 365 and Google do), refreshed once and
    tried again."""
    stored = _still_valid(mailbox)
    token = access_token(mailbox)
    try:
        return authenticate(token)
    except rejected:
        if not stored:  # a token just refreshed was refused: refreshing again will not help
            raise
        return authenticate(refresh(mailbox))


def refresh(mailbox: Mailbox) -> str:
    from helpline.mail.actions import store_oauth_tokens

    if not (mailbox.oauth_token_url and mailbox.oauth_refresh_token):
        raise TokenRefreshError("The mailbox has no OAuth2 token endpoint or refresh token.")
    data = {
        "grant_type": "refresh_token",
        "refresh_token": mailbox.oauth_refresh_token,
        "client_id": mailbox.oauth_client_id,
    }
    if mailbox.oauth_client_secret:
        data["client_secret"] = mailbox.oauth_client_secret
    if mailbox.oauth_scope:
        data["scope"] = mailbox.oauth_scope
    try:
        response = httpx.post(mailbox.oauth_token_url, data=data, timeout=20)
        payload = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise TokenRefreshError(f"token endpoint unreachable: {exc}") from exc
    if response.status_code != 200 or "access_token" not in payload:
        detail = payload.get("error_description") or payload.get("error") or response.status_code
        raise TokenRefreshError(f"token refresh refused: {detail}")
    expires_at = timezone.now() + dt.timedelta(seconds=int(payload.get("expires_in", 3600)))
    store_oauth_tokens(
        mailbox=mailbox,
        access_token=payload["access_token"],
        expires_at=expires_at,
        refresh_token=payload.get("refresh_token", ""),
    )
    return payload["access_token"]
