"""Who is calling the API: a personal token (`Authorization: Bearer hl_…`) or the browser session.

Only agents use the API. A session caller must pass Django's CSRF check on unsafe methods;
a token caller needs none (the token is not sent automatically by browsers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import NotPermittedError
from helpline.tickets import permissions

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """A personal API token created on the profile page (`hl_…`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from helpline.accounts.actions import authenticate_token

        return authenticate_token(token.strip())


class SessionAuth(APIKeyCookie):
    """The signed-in agent's browser session; CSRF is enforced for unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, once we know the session is signed in

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request) is not None:
            raise NotPermittedError(
                _("The CSRF check failed: send the X-CSRFToken header with session requests."),
                code="csrf_failed",
            )
        return user


API_AUTH: list[Any] = [TokenAuth(), SessionAuth()]


def agent_of(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # the authentication step guarantees this for every operation
        raise NotPermittedError(_("Only agents may use the API."))
    return user


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of_agent(agent_of(request))


def require_admin(request: HttpRequest) -> Actor:
    """Agents, teams, custom-field definitions and webhooks are changed by admins only."""
    actor = actor_of(request)
    permissions.require(permissions.can_manage_settings(actor), _("Only admins may do this."))
    return actor
