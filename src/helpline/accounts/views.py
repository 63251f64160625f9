"""Sign-in (rate-limited, with optional TOTP second step), sign-out and the language switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import actions
from helpline.accounts.middleware import LANGUAGE_SESSION_KEY, TWO_FACTOR_PENDING
from helpline.core.errors import RateLimitedError


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    username = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        ip = client_ip(request)
        try:
            actions.check_login_allowed(username=username, ip_address=ip)
        except RateLimitedError as exc:
            error, status = exc.message, 429
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                actions.record_login_failure(username=username, ip_address=ip)
                error, status = _("Wrong username or password."), 401
            else:
                actions.clear_login_failures(username=username)
                login(request, user)
                request.session[LANGUAGE_SESSION_KEY] = user.language
                if user.totp_enabled:
                    request.session[TWO_FACTOR_PENDING] = _next_url(request)
                    return redirect("accounts:totp_verify")
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=status,
    )


def totp_verify_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated or not request.session.get(TWO_FACTOR_PENDING):
        return redirect("accounts:login")
    error = ""
    status = 200
    if request.method == "POST":
        username = request.user.get_username()
        ip = client_ip(request)
        try:
            actions.check_login_allowed(username=username, ip_address=ip)
        except RateLimitedError as exc:
            logout(request)
            return render(request, "accounts/login.html", {"error": exc.message}, status=429)
        if actions.verify_totp(request.user, request.POST.get("code", "")):  # type: ignore[arg-type]
            target = request.session.pop(TWO_FACTOR_PENDING)
            actions.clear_login_failures(username=username)
            return redirect(target or settings.LOGIN_REDIRECT_URL)
        actions.record_login_failure(username=username, ip_address=ip)
        error, status = _("That code is not right."), 401
    return render(request, "accounts/totp_verify.html", {"error": error}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        request.session[LANGUAGE_SESSION_KEY] = language
        if request.user.is_authenticated:
            actions.update_agent(actor=request.user, agent=request.user, language=language)  # type: ignore[arg-type]
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
