"""Small helpers shared by the account and administration pages."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from helpline.accounts.models import User
from helpline.core.errors import HelplineError


def current_agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def show_error(form: forms.Form, exc: HelplineError, field: str | None = None) -> None:
    """Put an action's refusal on the form, which keeps what the user typed."""
    form.add_error(field if field in form.fields else None, exc.message)
