"""/admin/channels/: messaging channel accounts (credentials write-only), recent webhook payloads,
and the live chat widget's settings with its embed snippet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent, show_error
from helpline.chat import actions as chat_actions
from helpline.chat.selectors import chat_settings
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.core.timezones import known_time_zones
from helpline.messaging import actions
from helpline.messaging.models import ChannelAccount, InboundPayload, Provider

SECRET_KEYS = {
    "bot_token",
    "webhook_secret",
    "access_token",
    "app_secret",
    "verify_token",
    "auth_token",
    "page_access_token",
}
LABELS = {
    "bot_token": gettext_lazy("Bot token"),
    "webhook_secret": gettext_lazy("Webhook secret token"),
    "access_token": gettext_lazy("Access token"),
    "phone_number_id": gettext_lazy("Phone number ID"),
    "app_secret": gettext_lazy("App secret"),
    "verify_token": gettext_lazy("Verify token"),
    "template_name": gettext_lazy("Template for replies after 24 hours"),
    "template_language": gettext_lazy("Template language code"),
    "api_version": gettext_lazy("Graph API version"),
    "account_sid": gettext_lazy("Account SID"),
    "auth_token": gettext_lazy("Auth token"),
    "from_number": gettext_lazy("Sending number"),
    "page_access_token": gettext_lazy("Page access token"),
}


class ChannelAccountForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    api_base_url = forms.URLField(
        label=gettext_lazy("API base URL"),
        required=False,
        help_text=gettext_lazy("Leave blank for the provider's own."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, provider: str, account: ChannelAccount | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        stored = account.secrets if account else {}
        for key in actions.SECRET_FIELDS[provider]:
            if key in SECRET_KEYS:
                self.fields[key] = forms.CharField(
                    label=LABELS[key],
                    required=False,
                    widget=forms.PasswordInput(render_value=False),
                    help_text=_("Stored encrypted; leave blank to keep it.") if stored.get(key) else "",
                )
            else:
                self.fields[key] = forms.CharField(label=LABELS[key], required=False, initial=stored.get(key, ""))


@admin_required
def channel_list(request: HttpRequest) -> HttpResponse:
    accounts = list(ChannelAccount.objects.all())
    for account in accounts:
        account.webhook_url = request.build_absolute_uri(  # type: ignore[attr-defined]
            reverse("messaging:webhook", args=[account.provider, account.public_id])
        )
    payloads = InboundPayload.objects.select_related("account")[:25]
    return render(
        request,
        "messaging/admin/channels.html",
        {
            "accounts": accounts,
            "payloads": payloads,
            "providers": Provider.choices,
            "section": "channels",
            "embed": f'<script src="{request.build_absolute_uri(reverse("chat:widget"))}" async></script>',
        },
    )


@admin_required
def channel_edit(request: HttpRequest, public_id: str = "") -> HttpResponse:
    account = ChannelAccount.objects.filter(public_id=public_id).first() if public_id else None
    if public_id and account is None:
        raise Http404
    provider = account.provider if account else request.GET.get("provider", "")
    if provider not in Provider.values:
        raise Http404
    initial = {"name": account.name, "api_base_url": account.api_base_url, "active": account.active} if account else {}
    form = ChannelAccountForm(request.POST or None, provider=provider, account=account, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_channel_account(
                    actor=Actor.of_agent(current_agent(request)),
                    account=account,
                    provider=provider,
                    name=data["name"],
                    api_base_url=data["api_base_url"],
                    active=data["active"],
                    credentials={k: data.get(k, "") for k in actions.SECRET_FIELDS[provider]},
                )
            except HelplineError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Channel %(name)s was saved.") % {"name": saved.name})
                return redirect("admin_ui:channels")
    return render(
        request,
        "messaging/admin/channel_form.html",
        {"form": form, "account": account, "provider": Provider(provider).label, "section": "channels"},
        status=status,
    )


class ChatSettingsForm(forms.Form):
    color = forms.RegexField(
        label=gettext_lazy("Colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=forms.TextInput(attrs={"type": "color"})
    )
    logo_url = forms.URLField(label=gettext_lazy("Logo URL"), required=False)
    greeting = forms.CharField(label=gettext_lazy("Greeting"), max_length=300, required=False)
    prechat_form = forms.BooleanField(label=gettext_lazy("Ask for name and email before the chat"), required=False)
    always_open = forms.BooleanField(label=gettext_lazy("Open around the clock"), required=False)
    open_days = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Open on"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (1, gettext_lazy("Monday")),
            (2, gettext_lazy("Tuesday")),
            (3, gettext_lazy("Wednesday")),
            (4, gettext_lazy("Thursday")),
            (5, gettext_lazy("Friday")),
            (6, gettext_lazy("Saturday")),
            (7, gettext_lazy("Sunday")),
        ],
    )
    opens_at = forms.TimeField(
        label=gettext_lazy("Opens at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=gettext_lazy("Closes at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(z, z) for z in sorted(known_time_zones())]


@admin_required
def chat_settings_page(request: HttpRequest) -> HttpResponse:
    config = chat_settings()
    initial = {field: getattr(config, field) for field in chat_actions.SETTINGS_FIELDS}
    form = ChatSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                chat_actions.update_chat_settings(actor=Actor.of_agent(current_agent(request)), **form.cleaned_data)
            except HelplineError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Chat settings were saved."))
                return redirect("admin_ui:channel_chat")
    return render(
        request,
        "messaging/admin/chat_settings.html",
        {
            "form": form,
            "section": "channels",
            "embed": f'<script src="{request.build_absolute_uri(reverse("chat:widget"))}" async></script>',
            "demo_url": reverse("chat:demo"),
        },
        status=status,
    )
