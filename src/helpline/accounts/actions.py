"""Every write to agents, teams, API tokens and two-factor settings; each leaves an audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.audit_context import current_client_ip
from helpline.accounts.models import (
    ApiToken,
    AuditAction,
    AuditLogEntry,
    LoginFailure,
    NotificationPreferences,
    Role,
    Team,
    User,
)
from helpline.core.errors import ConflictError, InvalidInputError, NotPermittedError, RateLimitedError
from helpline.core.timezones import known_time_zones

_UNSET: Any = object()
TOKEN_PREFIX = "hl_"  # noqa: S105 (a public prefix, not a secret)


def record_audit(
    *,
    actor: User | None,
    action: str,
    target: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=data or {},
        ip_address=ip_address if ip_address is not None else current_client_ip(),
    )


def _check_time_zone(name: str) -> None:
    if name not in known_time_zones():
        raise InvalidInputError(_("Unknown time zone “%(tz)s”.") % {"tz": name}, code="invalid_time_zone")


def _require_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_admin):
        raise NotPermittedError(_("Only admins may manage agents, teams and settings."))


def create_agent(
    *,
    actor: User | None,
    username: str,
    email: str = "",
    password: str | None = None,
    role: str = Role.AGENT,
    display_name: str = "",
    language: str = "en",
    time_zone: str = "UTC",
    teams: Iterable[Team] = (),
) -> User:
    _require_admin(actor)
    if role not in Role.values:
        raise InvalidInputError(_("Unknown role “%(role)s”.") % {"role": role}, code="invalid_role")
    if language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language “%(lang)s”.") % {"lang": language}, code="invalid_language")
    _check_time_zone(time_zone)
    username = username.strip()
    if not username:
        raise InvalidInputError(_("A username is required."), code="username_required")
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise InvalidInputError(" ".join(exc.messages), code="weak_password") from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=email.strip().lower(),
                password=password or None,
                role=role,
                display_name=display_name,
                language=language,
                time_zone=time_zone,
                is_staff=role == Role.ADMIN,
                is_superuser=False,
            )
            if not password:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.teams.set(list(teams))
            record_audit(actor=actor, action=AuditAction.USER_CREATED, target=user, data={"role": role})
    except IntegrityError:
        raise ConflictError(_("The username %(name)s is taken.") % {"name": username}, code="username_taken") from None
    return user


def update_agent(
    *,
    actor: User | None,
    agent: User,
    role: str = _UNSET,
    display_name: str = _UNSET,
    email: str = _UNSET,
    language: str = _UNSET,
    time_zone: str = _UNSET,
    is_active: bool = _UNSET,
    teams: Iterable[Team] = _UNSET,
) -> User:
    """Admins change anyone; an agent may change their own name, language and time zone."""
    is_self = actor is not None and actor.pk == agent.pk
    if not is_self or any(v is not _UNSET for v in (role, is_active, teams, email)):
        _require_admin(actor)
    if role is not _UNSET and role not in Role.values:
        raise InvalidInputError(_("Unknown role “%(role)s”.") % {"role": role}, code="invalid_role")
    if language is not _UNSET and language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language “%(lang)s”.") % {"lang": language}, code="invalid_language")
    if time_zone is not _UNSET:
        _check_time_zone(time_zone)
    if is_self and (role is not _UNSET and role != agent.role or is_active is False):
        raise InvalidInputError(_("You cannot change your own role or deactivate yourself."), code="self_change")
    changes: dict[str, Any] = {}
    with transaction.atomic():
        for attr, value in (
            ("role", role),
            ("display_name", display_name),
            ("email", email),
            ("language", language),
            ("time_zone", time_zone),
            ("is_active", is_active),
        ):
            if value is not _UNSET and getattr(agent, attr) != value:
                changes[attr] = [getattr(agent, attr), value]
                setattr(agent, attr, value)
        if "role" in changes:
            agent.is_staff = agent.role == Role.ADMIN
            changes["is_staff"] = agent.is_staff
        if changes:
            agent.save(
                update_fields=[k for k in changes if k != "is_staff"] + (["is_staff"] if "role" in changes else [])
            )
        if teams is not _UNSET:
            before = sorted(agent.teams.values_list("name", flat=True))
            agent.teams.set(list(teams))
            after = sorted(agent.teams.values_list("name", flat=True))
            if before != after:
                changes["teams"] = [before, after]
        if "role" in changes:
            record_audit(
                actor=actor,
                action=AuditAction.ROLE_CHANGED,
                target=agent,
                data=changes["role"] and {"before": changes["role"][0], "after": changes["role"][1]},
            )
        if changes.get("is_active") == [True, False]:
            record_audit(actor=actor, action=AuditAction.USER_DEACTIVATED, target=agent)
        other = {k: v for k, v in changes.items() if k not in ("role", "is_staff")}
        if other:
            record_audit(actor=actor, action=AuditAction.USER_UPDATED, target=agent, data=other)
    return agent


def set_notification_preferences(*, actor: User, agent: User, **choices: bool) -> NotificationPreferences:
    """Turn an agent's notification emails on or off, per kind; agents change their own, admins anyone's."""
    if actor.pk != agent.pk:
        _require_admin(actor)
    unknown = set(choices) - set(NotificationPreferences.KINDS)
    if unknown:
        raise InvalidInputError(
            _("Unknown notification: %(name)s") % {"name": ", ".join(sorted(unknown))}, code="invalid_notification"
        )
    with transaction.atomic():
        prefs, _created = NotificationPreferences.objects.select_for_update().get_or_create(agent=agent)
        changes = {k: [getattr(prefs, k), bool(v)] for k, v in choices.items() if getattr(prefs, k) != bool(v)}
        if changes:
            for name, (_before, after) in changes.items():
                setattr(prefs, name, after)
            prefs.save(update_fields=list(changes))
            record_audit(actor=actor, action=AuditAction.USER_UPDATED, target=agent, data={"notifications": changes})
    return prefs


def create_team(*, actor: User | None, name: str, description: str = "", members: Iterable[User] = ()) -> Team:
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInputError(_("A team needs a name."), code="name_required")
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name[:100], description=description)
            team.members.set(list(members))
            record_audit(actor=actor, action=AuditAction.TEAM_CREATED, target=team)
    except IntegrityError:
        raise ConflictError(_("A team named %(name)s exists already.") % {"name": name}, code="name_taken") from None
    return team


def update_team(
    *, actor: User | None, team: Team, name: str = _UNSET, description: str = _UNSET, members: Iterable[User] = _UNSET
) -> Team:
    _require_admin(actor)
    data: dict[str, Any] = {}
    try:
        with transaction.atomic():
            for attr, value in (("name", name), ("description", description)):
                if value is not _UNSET and getattr(team, attr) != value:
                    data[attr] = [getattr(team, attr), value]
                    setattr(team, attr, value)
            if data:
                team.save(update_fields=list(data))
            if members is not _UNSET:
                before = sorted(team.members.values_list("username", flat=True))
                team.members.set(list(members))
                after = sorted(team.members.values_list("username", flat=True))
                if before != after:
                    data["members"] = [before, after]
            if data:
                record_audit(actor=actor, action=AuditAction.TEAM_UPDATED, target=team, data=data)
    except IntegrityError:
        raise ConflictError(_("A team with this name exists already."), code="name_taken") from None
    return team


# -- API tokens ----------------------------------------------------------------------------------


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, actor: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A personal token for `actor`. Returns the token row and the secret, which is never stored."""
    if not name.strip():
        raise InvalidInputError(_("Give the token a name."), code="name_required")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name.strip()[:100], prefix=secret[:10], key_hash=hash_token(secret), expires_at=expires_at
        )
        record_audit(actor=actor, action=AuditAction.TOKEN_CREATED, target=token)
    return token, secret


def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        _require_admin(actor)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_audit(actor=actor, action=AuditAction.TOKEN_REVOKED, target=token)
    return token


def authenticate_token(secret: str) -> User | None:
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# -- two-factor ----------------------------------------------------------------------------------


def start_totp_setup(*, actor: User) -> str:
    """Generate and keep a new (not yet enabled) TOTP seed; returns the otpauth:// URI."""
    actor.totp_secret = pyotp.random_base32()
    actor.save(update_fields=["totp_secret"])
    return pyotp.TOTP(actor.totp_secret).provisioning_uri(name=actor.username, issuer_name="Helpline")


def verify_totp(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify((code or "").replace(" ", ""), valid_window=1)


def enable_totp(*, actor: User, code: str) -> None:
    if not verify_totp(actor, code):
        raise InvalidInputError(
            _("That code is not right. Check the time on your phone and try again."), code="invalid_code"
        )
    with transaction.atomic():
        actor.totp_enabled = True
        actor.save(update_fields=["totp_enabled"])
        record_audit(actor=actor, action=AuditAction.TOTP_ENABLED, target=actor)


def disable_totp(*, actor: User, agent: User) -> None:
    if actor.pk != agent.pk:
        _require_admin(actor)
    with transaction.atomic():
        agent.totp_enabled = False
        agent.totp_secret = ""
        agent.save(update_fields=["totp_enabled", "totp_secret"])
        record_audit(actor=actor, action=AuditAction.TOTP_DISABLED, target=agent)


# -- login rate limiting -------------------------------------------------------------------------


def _recent_failures(username: str, ip_address: str | None) -> int:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    by_user = LoginFailure.objects.filter(username=username.lower(), created_at__gte=since).count()
    by_ip = LoginFailure.objects.filter(ip_address=ip_address, created_at__gte=since).count() if ip_address else 0
    return max(by_user, by_ip // 4)


def check_login_allowed(*, username: str, ip_address: str | None) -> None:
    """Refuse further attempts once a username (or, more generously, an address) failed too often."""
    if _recent_failures(username, ip_address) >= settings.LOGIN_MAX_FAILURES:
        raise RateLimitedError(
            _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)}
        )


def record_login_failure(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip_address)
    if _recent_failures(username, ip_address) == settings.LOGIN_MAX_FAILURES:
        record_audit(
            actor=None, action=AuditAction.LOGIN_LOCKED, data={"username": username[:150]}, ip_address=ip_address
        )


def clear_login_failures(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def set_agent_password(*, actor: User, agent: User, new_password: str, current_password: str = "") -> None:
    """An agent changes their own password (knowing the current one); an admin sets anyone's."""
    is_self = actor.pk == agent.pk
    if is_self:
        if agent.has_usable_password() and not agent.check_password(current_password):
            raise InvalidInputError(_("The current password is not right."), code="wrong_password")
    else:
        _require_admin(actor)
    try:
        validate_password(new_password, user=agent)
    except ValidationError as exc:
        raise InvalidInputError(" ".join(exc.messages), code="weak_password") from None
    with transaction.atomic():
        agent.set_password(new_password)
        agent.save(update_fields=["password"])
        record_audit(actor=actor, action=AuditAction.USER_UPDATED, target=agent, data={"password": "changed"})
