"""The mailbox settings form. Secrets are write-only: left empty, the stored value stays."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpline.mail.models import Mailbox

SECRET_HELP = _("Stored encrypted. Leave empty to keep the current value.")


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

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "email_address",
            "team",
            "active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_folder",
            "processed_action",
            "processed_folder",
            "use_idle",
            "poll_interval",
            "tls_ca_file",
            "auth_method",
            "username",
            "password",
            "oauth_token_url",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_refresh_token",
            "oauth_scope",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "smtp_password",
            "signature",
            "closed_ticket_policy",
            "max_message_bytes",
            "sender_rate_limit",
            "send_acknowledgement",
            "spam_score_threshold",
        ]
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
            "signature": _("Added to replies. Template variables: {{ agent }}, {{ team }}, {{ ticket.number }}."),
        }
        widgets = {"signature": forms.Textarea(attrs={"rows": 4})}
