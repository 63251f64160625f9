"""The mailbox settings form. Secrets are write-only: left empty, the stored value stays."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpline.mail.models import Mailbox

SECRET_HELP = _("Stored encrypted. Leave empty to keep the current value.")

# The settings page shows the fields in these groups, in this order (every field in one of them);
# all but `aliases` (the mailbox's other addresses, rows of their own) are the model's.
SECTIONS: list[tuple[Any, list[str]]] = [
    (_("Mailbox"), ["name", "email_address", "aliases", "team", "active"]),
    (
        _("Incoming mail (IMAP)"),
        [
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_folder",
            "processed_action",
            "processed_folder",
            "use_idle",
            "poll_interval",
            "tls_ca_file",
        ],
    ),
    (
        _("Sign-in"),
        [
            "auth_method",
            "username",
            "password",
            "oauth_authorize_url",
            "oauth_token_url",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_refresh_token",
            "oauth_scope",
        ],
    ),
    (_("Outgoing mail (SMTP)"), ["smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password"]),
    (_("Replies and acknowledgements"), ["signature", "send_acknowledgement", "closed_ticket_policy"]),
    (
        _("Limits and spam"),
        ["max_message_bytes", "sender_rate_limit", "hold_marked_spam", "spam_score_threshold"],
    ),
]


class MailboxForm(forms.ModelForm):
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP)
    smtp_password = forms.CharField(
        label=_("SMTP password"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    oauth_client_secret = forms.CharField(
        label=_("OAuth2 client secret"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    oauth_refresh_token = forms.CharField(
        label=_("OAuth2 refresh token"), required=False, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    aliases = forms.CharField(
        label=_("Other addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Addresses whose mail is forwarded to this mailbox (aliases, group or old addresses), one per "
            "line. Their mail is this mailbox's, they are never copied on replies, and mail from them is "
            "recognised as our own."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["aliases"] = "\n".join(a.address for a in self.instance.aliases.all())

    def clean_aliases(self) -> list[str]:
        return [a for a in re.split(r"[\s,;]+", self.cleaned_data.get("aliases") or "") if a]

    class Meta:
        model = Mailbox
        fields = [name for _title, names in SECTIONS for name in names if name != "aliases"]
        labels = {
            "imap_security": _("IMAP security"),
            "processed_action": _("After processing"),
            "processed_folder": _("Folder for processed mail"),
            "auth_method": _("Sign-in method"),
            "oauth_token_url": _("OAuth2 token endpoint"),
            "oauth_client_id": _("OAuth2 client id"),
            "oauth_scope": _("OAuth2 scope"),
            "smtp_security": _("SMTP security"),
            "smtp_username": _("SMTP user name (if different)"),
            "closed_ticket_policy": _("A reply to a closed ticket"),
            "max_message_bytes": _("Largest message accepted (bytes)"),
            "send_acknowledgement": _("Acknowledge new tickets"),
            "team": _("Team"),
        }
        help_texts = {
            "signature": _(
                "Added to replies when the ticket's team has no signature of its own. Placeholders: "
                "{{ agent.name }}, {{ team.name }}, {{ ticket.number }} and the others listed on a team's "
                "signature page."
            ),
        }
        widgets = {"signature": forms.Textarea(attrs={"rows": 4})}

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in SECTIONS]


def _signature_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TeamSignatureForm(forms.Form):
    """A team's reply signature: the default and one per desk language (empty: the default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default"] = _signature_field(gettext("Signature"))
        self.fields["default"].help_text = gettext("For customers whose language has no signature below.")
        for code, name in settings.LANGUAGES:
            label = gettext("Signature in %(language)s") % {"language": name}
            self.fields[f"lang_{code}"] = _signature_field(label)

    @staticmethod
    def field_for(language: str) -> str:
        return f"lang_{language}" if language else "default"

    def templates(self) -> dict[str, str]:
        """Language code ("" for the default) to the template typed for it."""
        data = self.cleaned_data
        return {"": data["default"], **{code: data[f"lang_{code}"] for code, _name in settings.LANGUAGES}}
