"""`{% notification_preferences_form %}`: the agent's notification choices on the profile page."""

from __future__ import annotations

from typing import Any

from django import template

from helpline.accounts.forms import NotificationPreferencesForm
from helpline.accounts.selectors import notification_preferences

register = template.Library()


@register.inclusion_tag("accounts/_notification_preferences.html", takes_context=True)
def notification_preferences_form(context: template.Context) -> dict[str, Any]:
    prefs = notification_preferences(context["request"].user)
    form = NotificationPreferencesForm(initial={kind: getattr(prefs, kind) for kind in prefs.KINDS})
    return {"form": form, "csrf_token": context.get("csrf_token")}
