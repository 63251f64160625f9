"""Per-agent language, and the second step of sign-in for agents with two-factor enabled."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

TWO_FACTOR_PENDING = "helpline_2fa_pending"
LANGUAGE_SESSION_KEY = "helpline_language"


class UserLanguageMiddleware:
    """Sets the language cookie from the session choice so LocaleMiddleware picks it up.

    Order of preference: explicit choice in this session (switcher), the agent's own language
    (applied after authentication by the view layer), the browser's Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
        if chosen and chosen in dict(settings.LANGUAGES):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = chosen
        return self.get_response(request)


class TwoFactorMiddleware:
    """An agent who passed the password but not yet the TOTP code reaches only the code page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(TWO_FACTOR_PENDING):
            allowed = {reverse("accounts:totp_verify"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("accounts:totp_verify")
        return self.get_response(request)
