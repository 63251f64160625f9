"""/workflow/settings/follow-ups/: the call confirmation and the special-date greeting (admins)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.workflow import greetings
from helpline.workflow.call_log import desk_settings


def _templates(request: HttpRequest, prefix: str) -> dict[str, str]:
    return {code: request.POST.get(f"{prefix}_{code}", "") for code, _name in settings.LANGUAGES}


@admin_required
def settings_page(request: HttpRequest) -> HttpResponse:
    config = desk_settings()
    error = ""
    if request.method == "POST":
        try:
            greetings.save_follow_up_settings(
                actor=Actor.of_agent(current_agent(request)),
                call_confirmation_enabled=request.POST.get("call_confirmation_enabled") == "on",
                call_confirmation_templates=_templates(request, "call"),
                call_confirmation_prefer_sms=request.POST.get("call_confirmation_prefer_sms") == "on",
                greeting_enabled=request.POST.get("greeting_enabled") == "on",
                greeting_attribute=request.POST.get("greeting_attribute", ""),
                greeting_templates=_templates(request, "greeting"),
            )
        except HelplineError as exc:
            error = exc.message
        else:
            messages.success(request, _("Follow-up messages saved."))
            return redirect("workflow:follow_up_settings")
    languages = [
        (code, name, config.call_confirmation_templates.get(code, ""), config.greeting_templates.get(code, ""))
        for code, name in settings.LANGUAGES
    ]
    context = {"config": config, "languages": languages, "error": error, "section": "automations"}
    return render(request, "workflow/admin/follow_up_settings.html", context, status=422 if error else 200)
