"""Portal forms: the public request form, the customer's reply and the sign-in request.

Forms only parse and check shapes; deciding and writing is the actions' job. Uploaded files are
turned into `IncomingFile`s here (their type is judged from the bytes by the actions).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from helpline.tickets.attachments import IncomingFile

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is refused early when it is plainly too large."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                ngettext("Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES)
                % {"count": MAX_FILES},
                code="too_many_files",
            )
        limit = settings.ATTACHMENT_MAX_BYTES
        for upload in files:
            if upload.size is not None and upload.size > limit:
                raise forms.ValidationError(
                    gettext("%(name)s is too large (%(size)d MB); the limit is %(limit)d MB.")
                    % {"name": upload.name, "size": upload.size // (1024 * 1024), "limit": limit // (1024 * 1024)},
                    code="attachment_too_large",
                )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def incoming_files(uploads: list[UploadedFile]) -> list[IncomingFile]:
    return [
        IncomingFile(
            filename=upload.name or "attachment", content=upload.read(), declared_type=upload.content_type or ""
        )
        for upload in uploads
    ]


class RequestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    message = forms.CharField(label=_("How can we help?"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 7}))
    attachments = MultipleFileField(label=_("Attachments"))
    # Honeypot: hidden from people (CSS and aria-hidden); bots that fill every field give
    # themselves away. Named like a field a bot wants to fill.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=50_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachments") and not self.errors:
            raise forms.ValidationError(_("Write a message or attach a file."), code="message_empty")
        return cleaned


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


class ProfileForm(forms.Form):
    """The customer's own profile; the greeting fields only when the desk sends greetings."""

    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False)
    greetings_opt_in = forms.BooleanField(label=_("Send me a greeting on my special date"), required=False)
    special_date = forms.DateField(
        label=_("My special date (a birthday, an anniversary)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, greetings: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["time_zone"].widget.attrs.update({"list": "tz-options", "placeholder": "Europe/Tbilisi"})
        if not greetings:
            del self.fields["greetings_opt_in"], self.fields["special_date"]
