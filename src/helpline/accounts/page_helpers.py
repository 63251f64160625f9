"""Small helpers shared by the account and administration pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from helpline.accounts.models import User
from helpline.core.errors import HelplineError


def current_agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def show_error(form: forms.BaseForm, exc: HelplineError, field: str | None = None) -> None:
    """Put an action's refusal on the form, which keeps what the user typed."""
    form.add_error(field if field in form.fields else None, exc.message)


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], HttpResponse],
    *,
    error_field: str | None = None,
    error_fields: Mapping[str, str] | None = None,
    on_error: Callable[[], object] | None = None,
) -> tuple[HttpResponse | None, int]:
    """A form page's POST: validate the form, then `save(cleaned_data)`, which calls one action and
    returns the response to send (usually a redirect). An action's refusal goes on the form, on the
    field `error_fields` names for its code (else `error_field`, else the whole form), and `on_error`
    runs (e.g. to re-read an object the form changed in memory).

    Returns that response, or None and the status to render the form with: 200 when nothing was
    sent, 422 when the form is invalid, the refusal's status otherwise."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 422
    try:
        response = save(form.cleaned_data)
    except HelplineError as exc:
        show_error(form, exc, (error_fields or {}).get(exc.code, error_field))
        if on_error is not None:
            on_error()
        return None, exc.status
    return response, response.status_code
