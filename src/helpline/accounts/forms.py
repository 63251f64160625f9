"""Forms for the account and administration pages. They check the shape of the input only;
the rules (who may do what, unique names, valid roles) live in the actions."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import AuditAction, Role, Team, User
from helpline.core.timezones import known_time_zones
from helpline.tickets.models import FieldType

TOKEN_LIFETIMES = [("", _("Never")), ("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year"))]
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def language_choices() -> list[tuple[str, str]]:
    """Each desk language named in its own script, so anyone can find theirs."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_time_zones())]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)


class NotificationPreferencesForm(forms.Form):
    new_ticket = forms.BooleanField(label=_("A new ticket arrives in one of my teams"), required=False)
    assigned = forms.BooleanField(label=_("A ticket is assigned to me"), required=False)
    customer_replied = forms.BooleanField(label=_("The customer replies on a ticket assigned to me"), required=False)
    internal_note = forms.BooleanField(label=_("Someone adds an internal note on a ticket assigned to me"), required=False)


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “CRM sync”."))
    expires_in = forms.ChoiceField(label=_("Expires"), choices=TOKEN_LIFETIMES, required=False)

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + dt.timedelta(days=int(days)) if days else None


def _team_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AgentCreateForm(forms.Form):
    PASSWORD_SET = "set"  # noqa: S105 (a choice value, not a password)
    PASSWORD_NONE = "none"  # noqa: S105

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, initial="en")
    teams = _team_field()
    password_mode = forms.ChoiceField(
        label=_("Sign-in"),
        choices=[
            (PASSWORD_SET, _("Set an initial password")),
            (PASSWORD_NONE, _("Send nothing (the agent cannot sign in until a password is set)")),
        ],
        initial=PASSWORD_SET,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password_mode") == self.PASSWORD_SET and not data.get("password"):
            self.add_error("password", _("Enter an initial password, or choose “Send nothing”."))
        return data

    def initial_password(self) -> str | None:
        if self.cleaned_data.get("password_mode") == self.PASSWORD_SET:
            return self.cleaned_data.get("password") or None
        return None


class AgentEditForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)
    teams = _team_field()

    def __init__(self, *args: object, editing_self: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing_self:
            # An admin cannot demote or deactivate themself; the action refuses it too.
            for name in ("role", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("You cannot change this for yourself.")


class AgentsField(forms.ModelMultipleChoiceField):
    """Agents by name and username; deactivated ones stay listed (and marked) so saving keeps them."""

    def label_from_instance(self, obj: User) -> str:
        label = f"{obj.name} ({obj.username})" if obj.name != obj.username else obj.username
        return label if obj.is_active else _("%(agent)s, deactivated") % {"agent": label}


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = AgentsField(
        label=_("Members"),
        queryset=User.objects.order_by("-is_active", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CustomFieldForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        help_text=_("Used in the API and in filters: letters, digits, - and _. It cannot be changed later."),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices, initial=FieldType.TEXT)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a choice field: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=100000, initial=0)

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing:
            self.fields["key"].disabled = True

    def choice_list(self) -> list[str]:
        seen: dict[str, None] = {}
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            if line.strip():
                seen.setdefault(line.strip()[:100], None)
        return list(seen)


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    color = forms.CharField(
        label=_("Colour"), max_length=7, initial="#6b7280", widget=forms.TextInput(attrs={"type": "color"})
    )

    def clean_color(self) -> str:
        color = self.cleaned_data["color"].strip()
        if not COLOR_RE.match(color):
            raise forms.ValidationError(_("Enter a colour as #rrggbb."))
        return color.lower()


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    actor = forms.ModelChoiceField(
        label=_("Who"), required=False, queryset=User.objects.order_by("username"), empty_label=_("Anyone")
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), min_length=8, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    confirm_password = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", _("The two new passwords differ."))
        return data
