"""Forms of the customer pages. They parse input; `helpline.customers.actions` decides."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from helpline.core.timezones import is_time_zone
from helpline.customers.models import Channel, Customer, IdentityKind

MAX_ATTRIBUTES = 50


class CustomerProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, customer: Customer | None = None, **kwargs: object) -> None:
        if customer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": customer.name,
                "language": customer.language,
                "time_zone": customer.time_zone,
                "preferred_channel": customer.preferred_channel,
                "notes": customer.notes,
            }
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]  # type: ignore[attr-defined]
        self.fields["time_zone"].widget.attrs.update({"list": "tz-options", "placeholder": "Europe/Tbilisi"})

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value and not is_time_zone(value):
            raise forms.ValidationError(_("“%(value)s” is not a known time zone.") % {"value": value})
        return value


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKind.choices, initial=IdentityKind.EMAIL.value)
    value = forms.CharField(label=_("Address or handle"), max_length=255)


class OrganizationAddForm(forms.Form):
    name = forms.CharField(label=_("Organisation"), max_length=200)


class CustomerNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class MergeCustomerForm(forms.Form):
    other = forms.CharField(
        label=_("Customer to merge into this one"),
        max_length=255,
        help_text=_("Their email address, phone number or customer id. Their tickets and identities move here."),
    )


def parse_attributes(keys: list[str], values: list[str]) -> tuple[dict[str, str], str]:
    """Key/value rows from the attributes editor; blank keys are dropped. Returns (attributes, error)."""
    attributes: dict[str, str] = {}
    for key, value in zip(keys, values, strict=False):
        key = key.strip()[:60]
        if not key:
            continue
        if key in attributes:
            return attributes, str(_("The attribute “%(key)s” appears twice.") % {"key": key})
        attributes[key] = value.strip()[:500]
    if len(attributes) > MAX_ATTRIBUTES:
        return attributes, str(_("At most %(count)d attributes.") % {"count": MAX_ATTRIBUTES})
    return attributes, ""


class GreetingForm(forms.Form):
    """The customer's consent to a greeting on their special date, and the date."""

    opted_in = forms.BooleanField(label=_("The customer wants a greeting on their special date"), required=False)
    date = forms.DateField(
        label=_("Special date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
