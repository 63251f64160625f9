"""Who may open the administration pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpline.core.actors import Actor
from helpline.tickets.permissions import can_manage_settings

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_ui/forbidden.html", status=403)


def admin_required(view: View) -> View:
    """Anonymous: to the sign-in page (coming back here after). Not an admin: 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_settings(Actor.of_agent(request.user)):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper
