"""Customer sign-in by emailed link, the link itself, and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST

from helpline.accounts.middleware import LANGUAGE_SESSION_KEY
from helpline.core.errors import HelplineError, RateLimitedError
from helpline.portal import actions
from helpline.portal.auth import read_token, sign_in, sign_out
from helpline.portal.forms import SignInForm
from helpline.portal.views.common import add_action_error, client_ip, render_portal


def login(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                actions.request_sign_in_link(
                    email=form.cleaned_data["email"],
                    language=translation.get_language() or "",
                    ip_address=client_ip(request),
                )
            except RateLimitedError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            except HelplineError as exc:
                add_action_error(form, exc)
                status = exc.status
            else:
                # The same answer whether or not the address is known to us.
                return render_portal(request, "portal/login_sent.html", {"email": form.cleaned_data["email"]})
        else:
            status = 422
    else:
        form = SignInForm()
    return render_portal(request, "portal/login.html", {"form": form}, status=status)


def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    link = read_token(token)
    if link is None:
        return render_portal(request, "portal/link_invalid.html", status=400)
    sign_in(request, link.customer)
    language = link.customer.language
    if language in dict(settings.LANGUAGES) and not request.session.get(LANGUAGE_SESSION_KEY):
        request.session[LANGUAGE_SESSION_KEY] = language
    if link.ticket_public_id:
        return redirect("portal:ticket", public_id=link.ticket_public_id)
    return redirect("portal:tickets")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:login")
