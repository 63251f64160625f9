"""Agents, teams, API tokens, the admin audit log and failed-login records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.crypto import EncryptedTextField


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    LIGHT_AGENT = "light_agent", _("Light agent")


class User(AbstractUser):
    """An agent of the desk. Customers are not users; they live in `customers`."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    totp_secret = EncryptedTextField(blank=True, default="")
    totp_enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_supervisor_or_admin(self) -> bool:
        return self.is_admin or self.role == Role.SUPERVISOR

    @property
    def is_light_agent(self) -> bool:
        return self.role == Role.LIGHT_AGENT and not self.is_superuser


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is kept; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditAction(models.TextChoices):
    USER_CREATED = "user.created", _("Agent created")
    USER_UPDATED = "user.updated", _("Agent updated")
    ROLE_CHANGED = "user.role_changed", _("Role changed")
    USER_DEACTIVATED = "user.deactivated", _("Agent deactivated")
    TEAM_CREATED = "team.created", _("Team created")
    TEAM_UPDATED = "team.updated", _("Team updated")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    TOTP_ENABLED = "2fa.enabled", _("Two-factor enabled")
    TOTP_DISABLED = "2fa.disabled", _("Two-factor disabled")
    SETTING_CHANGED = "setting.changed", _("Setting changed")
    LOGIN_LOCKED = "login.locked", _("Login locked after failures")


class AuditLogEntry(models.Model):
    """Who changed settings, roles, tokens: append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class NotificationPreferences(models.Model):
    """Which notification emails an agent wants; an agent without a row gets the defaults."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    new_ticket = models.BooleanField(_("a new ticket in one of my teams"), default=True)
    assigned = models.BooleanField(_("a ticket is assigned to me"), default=True)
    customer_replied = models.BooleanField(_("the customer replied on my ticket"), default=True)
    internal_note = models.BooleanField(_("an internal note on my ticket"), default=False)

    KINDS = ("new_ticket", "assigned", "customer_replied", "internal_note")

    def __str__(self) -> str:
        return f"notifications of {self.agent_id}"
