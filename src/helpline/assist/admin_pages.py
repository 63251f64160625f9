"""/admin/bot/: the answer bot's settings: where it answers (chat, each messaging channel, the
first reply to email), its confidence threshold, extra hand-off phrases, a greeting per language,
and the optional generative answer through an OpenAI-compatible endpoint (key write-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent, show_error
from helpline.assist import actions
from helpline.assist.config import bot_settings
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError

CHANNEL_CHOICES = [
    ("chat", gettext_lazy("Live chat")),
    ("telegram", "Telegram"),
    ("whatsapp", "WhatsApp"),
    ("sms", gettext_lazy("SMS")),
    ("messenger", "Messenger"),
    ("email", gettext_lazy("First reply to email")),
]


class BotSettingsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Answer on"), choices=CHANNEL_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    min_confidence = forms.FloatField(
        label=gettext_lazy("Confidence threshold"),
        min_value=0.0,
        max_value=1.0,
        help_text=gettext_lazy("Below this the bot hands the conversation to a person (0 to 1)."),
    )
    handoff_phrases = forms.CharField(
        label=gettext_lazy("Extra hand-off phrases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line; a message containing one goes to a person."),
    )
    generative = forms.BooleanField(label=gettext_lazy("Generative answers (must cite an article)"), required=False)
    llm_url = forms.URLField(
        label=gettext_lazy("Chat-completions URL"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("An OpenAI-compatible endpoint, e.g. http://localhost:8080/v1/chat/completions"),
    )
    llm_model = forms.CharField(label=gettext_lazy("Model"), required=False, max_length=120)
    llm_key_env = forms.CharField(
        label=gettext_lazy("API key environment variable"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("Read from the server's environment when no key is stored below."),
    )
    llm_key = forms.CharField(
        label=gettext_lazy("API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Stored encrypted and never shown again; leave blank to keep the current one."),
    )
    clear_llm_key = forms.BooleanField(label=gettext_lazy("Remove the stored API key"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"greeting_{code}"] = forms.CharField(
                label=_("Greeting (%(language)s)") % {"language": _(str(name))}, required=False, max_length=300
            )


@admin_required
def bot_settings_page(request: HttpRequest) -> HttpResponse:
    config = bot_settings()
    initial: dict[str, Any] = {field: getattr(config, field) for field in actions.BOT_FIELDS if field != "greetings"}
    initial.update({f"greeting_{code}": text for code, text in (config.greetings or {}).items()})
    form = BotSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            greetings = {code: data.pop(f"greeting_{code}", "") for code, _name in settings.LANGUAGES}
            key = "" if data.pop("clear_llm_key") else (data.pop("llm_key") or None)
            data.pop("llm_key", None)
            try:
                actions.update_bot_settings(
                    actor=Actor.of_agent(current_agent(request)), llm_key=key, greetings=greetings, **data
                )
            except HelplineError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Answer bot settings were saved."))
                return redirect("admin_ui:bot")
    return render(
        request,
        "assist/admin/bot.html",
        {"form": form, "section": "bot", "has_key": bool(config.llm_key)},
        status=status,
    )
