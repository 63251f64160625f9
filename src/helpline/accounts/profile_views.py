"""/accounts/profile/: an agent's own display name, language and time zone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from helpline.accounts import actions
from helpline.accounts.forms import ProfileForm
from helpline.accounts.middleware import LANGUAGE_SESSION_KEY
from helpline.accounts.page_helpers import current_agent, submit_form


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    initial = {"display_name": agent.display_name, "language": agent.language, "time_zone": agent.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        actions.update_agent(
            actor=agent,
            agent=agent,
            display_name=data["display_name"].strip(),
            language=data["language"],
            time_zone=data["time_zone"],
        )
        # The new language applies from this very response on (the message below included).
        request.session[LANGUAGE_SESSION_KEY] = agent.language
        translation.activate(agent.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, agent.language, samesite="Lax")
        return response

    done, status = submit_form(request, form, save)
    if done is not None:
        return done
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"}, status=status)


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    """An agent changes their own password; the session stays signed in."""
    from django.contrib.auth import update_session_auth_hash

    from helpline.accounts.forms import PasswordChangeForm

    agent = current_agent(request)
    form = PasswordChangeForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        actions.set_agent_password(
            actor=agent, agent=agent, current_password=data["current_password"], new_password=data["new_password"]
        )
        update_session_auth_hash(request, agent)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:profile")

    done, status = submit_form(
        request, form, save, error_field="new_password", error_fields={"wrong_password": "current_password"}
    )
    if done is not None:
        return done
    return render(request, "accounts/password.html", {"form": form, "section": "profile"}, status=status)
