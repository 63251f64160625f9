"""Small pieces shared by the portal views.

Rate limits key on `client_ip` (REMOTE_ADDR): behind a reverse proxy, run the server so that it
sets the real client address (for example uvicorn `--proxy-headers --forwarded-allow-ips=<proxy>`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpline.accounts.views import client_ip
from helpline.core.errors import HelplineError
from helpline.portal.auth import current_customer
from helpline.portal.branding import brand_name

__all__ = ["add_action_error", "client_ip", "render_portal"]


def render_portal(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    base = {
        "brand_name": brand_name(),
        "portal_customer": current_customer(request),
        "portal_languages": settings.LANGUAGES,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


_FIELD_FOR_CODE = {
    "invalid_email": "email",
    "invalid_identity": "email",
    "subject_required": "subject",
    "message_empty": "body",
}


def add_action_error(form: forms.Form, error: HelplineError) -> None:
    """Show an action's error next to the field it concerns (or above the form)."""
    field = "attachments" if error.code.startswith("attachment_") else _FIELD_FOR_CODE.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)
