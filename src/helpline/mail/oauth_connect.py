"""Connecting a mailbox to Microsoft 365 or Google: an admin signs in at the provider (OAuth2
authorization code with PKCE, RFC 6749 4.1 and RFC 7636) and the refresh token it returns is kept
encrypted on the mailbox. From then on access tokens are refreshed as needed (`oauth.py`)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.tickets import permissions

SESSION_KEY = "mail.oauth_connect"


def redirect_uri() -> str:
    """The callback to register at the provider."""
    return settings.SITE_URL + reverse("admin_ui:mailbox_oauth_callback")


def authorization_url(*, actor: Actor, mailbox: Mailbox, session: Any) -> str:
    """Where to send the admin to sign in; the state and the PKCE verifier wait in their session."""
    permissions.require(permissions.can_manage_settings(actor))
    if not (mailbox.oauth_authorize_url and mailbox.oauth_token_url and mailbox.oauth_client_id):
        raise InvalidInputError(
            _("Set the OAuth2 authorization endpoint, token endpoint and client id first, and save."),
            code="oauth_not_configured",
        )
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session[SESSION_KEY] = {"state": state, "verifier": verifier, "mailbox": mailbox.pk}
    params = {
        "response_type": "code",
        "client_id": mailbox.oauth_client_id,
        "redirect_uri": redirect_uri(),
        "scope": mailbox.oauth_scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",  # Google: a refresh token
        "prompt": "consent",
        "login_hint": mailbox.username,
    }
    url = mailbox.oauth_authorize_url
    given = parse_qs(urlsplit(url).query)  # the endpoint's own parameters (a tenant, a prompt) stay
    added = urlencode({k: v for k, v in params.items() if v and k not in given})
    return url + ("&" if "?" in url else "?") + added


def finish(*, actor: Actor, session: Any, state: str, code: str, error: str = "") -> Mailbox:
    """The provider sent the admin back: check the state, trade the code for tokens, keep them."""
    permissions.require(permissions.can_manage_settings(actor))
    pending = session.pop(SESSION_KEY, None)
    if not pending or not state or not constant_time_compare(state, pending["state"]):
        raise InvalidInputError(
            _("This sign-in was not started here or has expired. Start it again."), code="oauth_state"
        )
    mailbox = Mailbox.objects.filter(pk=pending["mailbox"]).first()
    if mailbox is None:
        raise InvalidInputError(_("The mailbox no longer exists."), code="oauth_state")
    if error or not code:
        raise InvalidInputError(
            _("The provider did not grant access: %(error)s") % {"error": (error or "no code")[:200]},
            code="oauth_denied",
        )
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(),
        "client_id": mailbox.oauth_client_id,
        "code_verifier": pending["verifier"],
    }
    if mailbox.oauth_client_secret:
        data["client_secret"] = mailbox.oauth_client_secret
    try:
        response = httpx.post(mailbox.oauth_token_url, data=data, timeout=20)
        payload = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise InvalidInputError(
            _("The token endpoint could not be reached: %(error)s") % {"error": str(exc)[:200]}, code="oauth_token"
        ) from exc
    if response.status_code != 200 or not payload.get("access_token") or not payload.get("refresh_token"):
        detail = payload.get("error_description") or payload.get("error") or _("no refresh token")
        raise InvalidInputError(
            _("The token endpoint refused: %(error)s") % {"error": str(detail)[:200]}, code="oauth_token"
        )
    return actions.connect_oauth(
        actor=actor,
        mailbox=mailbox,
        access_token=payload["access_token"],
        refresh_token=payload["refresh_token"],
        expires_at=timezone.now() + dt.timedelta(seconds=int(payload.get("expires_in", 3600))),
    )
