"""Sign-in (rate-limited, with optional TOTP second step), sign-out and the language switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpline.accounts import actions, selectors
from helpline.accounts.audit_context import client_ip
from helpline.accounts.middleware import LANGUAGE_SESSION_KEY, TWO_FACTOR_PENDING
from helpline.core.errors import RateLimitedError


def _rate_limited(request: HttpRequest, username: str, ip: str | None) -> HttpResponse:
    """The sign-in page answering 429 and saying how long to wait (also as Retry-After). Needs no script."""
    wait = selectors.login_retry_after(username=username, ip_address=ip)
    if wait >= 60:
        minutes = -(-wait // 60)
        message = ngettext(
            "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
            "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = ngettext(
            "Too many failed sign-in attempts. Try again in %(seconds)d second.",
            "Too many failed sign-in attempts. Try again in %(seconds)d seconds.",
            wait,
        ) % {"seconds": wait}
    context = {"error": message, "retry_after": wait, "username": username, "next": _next_url_value(request)}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


def _next_url_value(request: HttpRequest) -> str:
    """The ?next= target to carry through the form, only if it is a safe one."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _next_url(request: HttpRequest) -> str:
    return _next_url_value(request) or settings.LOGIN_REDIRECT_URL


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
        except RateLimitedError:
            return _rate_limited(request, username, ip)
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                actions.record_login_failure(username=username, ip_address=ip)
                error, status = _("Wrong username or password."), 401
            else:
                login(request, user)
                request.session[LANGUAGE_SESSION_KEY] = user.language
                if user.totp_enabled:
                    # Failures are cleared only once the code is right too, or signing in again with
                    # the password would reset the limit on guessing codes.
                    request.session[TWO_FACTOR_PENDING] = _next_url(request)
                    return redirect("accounts:totp_verify")
                actions.clear_login_failures(username=username)
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"error": error, "username": username, "next": _next_url_value(request)},
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
        except RateLimitedError:
            logout(request)
            return _rate_limited(request, username, ip)
        if actions.verify_totp(request.user, request.POST.get("code", "")):
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
            actions.update_agent(actor=request.user, agent=request.user, language=language)
        else:
            _remember_customer_language(request, language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


def _remember_customer_language(request: HttpRequest, language: str) -> None:
    """A customer signed in to the portal keeps the language they choose on their profile."""
    from helpline.core.actors import Actor
    from helpline.customers.actions import update_customer
    from helpline.portal.auth import current_customer

    customer = current_customer(request)
    if customer is not None and customer.language != language:
        update_customer(actor=Actor.of_customer(customer), customer=customer, language=language)
