"""Writes to business calendars and SLA policies: validated on save, audited, re-applied to open tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from helpline.accounts.actions import record_audit
from helpline.accounts.models import AuditAction, Team
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.core.timezones import is_time_zone
from helpline.customers.models import Channel
from helpline.tickets import permissions
from helpline.tickets.models import Priority, TicketType
from helpline.workflow.models import BusinessCalendar, SlaPolicy
from helpline.workflow.sla_reapply import reapply_policies

SLA_CONDITION_KEYS = {
    "priority": Priority.values,
    "channel": Channel.values,
    "ticket_type": TicketType.values,
    "organization": None,
    "tags": None,
    "customer_tier": None,
}


def _require_admin(actor: Actor) -> None:
    permissions.require(
        actor.is_system or permissions.can_manage_settings(actor),
        _("Only admins may manage business hours, SLAs and automations."),
    )


def _audit(actor: Actor, target: Any, data: dict[str, Any]) -> None:
    record_audit(actor=actor.agent, action=AuditAction.SETTING_CHANGED, target=target, data=data)


def clean_shifts(shifts: Any) -> list[dict[str, Any]]:
    if not isinstance(shifts, list) or not shifts:
        raise InvalidInputError(_("A calendar needs at least one working shift."), code="calendar_no_hours")
    cleaned = []
    for n, shift in enumerate(shifts, start=1):
        try:
            weekday = int(shift["weekday"])
            start = dt.time.fromisoformat(str(shift["start"]))
            end = dt.time.fromisoformat(str(shift["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(
                _("Shift %(n)s needs a weekday (0-6) and start and end times as HH:MM.") % {"n": n},
                code="invalid_shift",
            ) from exc
        if not 0 <= weekday <= 6:
            raise InvalidInputError(_("Shift %(n)s has no weekday 0-6.") % {"n": n}, code="invalid_shift")
        if start == end and start != dt.time(0):
            raise InvalidInputError(_("Shift %(n)s starts and ends at the same time.") % {"n": n}, code="invalid_shift")
        cleaned.append({"weekday": weekday, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    return cleaned


def clean_holidays(holidays: Any) -> list[str]:
    cleaned = []
    for value in holidays or []:
        try:
            cleaned.append(dt.date.fromisoformat(str(value).strip()).isoformat())
        except ValueError as exc:
            raise InvalidInputError(
                _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}, code="invalid_holiday"
            ) from exc
    return sorted(set(cleaned))


def save_calendar(
    *,
    actor: Actor,
    name: str,
    time_zone: str,
    shifts: Any,
    holidays: Any = (),
    team: Team | None = None,
    is_default: bool = False,
    calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(_("The calendar needs a name."), code="name_required")
    if not is_time_zone(time_zone):
        raise InvalidInputError(_("Unknown time zone “%(tz)s”.") % {"tz": time_zone}, code="invalid_time_zone")
    record = calendar or BusinessCalendar()
    record.name, record.time_zone, record.team, record.is_default = name[:100], time_zone, team, is_default
    record.shifts = clean_shifts(shifts)
    record.holidays = clean_holidays(holidays)
    with transaction.atomic():
        if BusinessCalendar.objects.filter(name=record.name).exclude(pk=record.pk).exists():
            raise InvalidInputError(_("A calendar with this name exists."), code="name_taken")
        if is_default:
            BusinessCalendar.objects.exclude(pk=record.pk).update(is_default=False)
        if team is not None:
            BusinessCalendar.objects.filter(team=team).exclude(pk=record.pk).update(team=None)
        record.save()
        _audit(actor, record, {"calendar": record.name, "time_zone": time_zone})
    return record


def clean_sla_conditions(conditions: Any) -> dict[str, list[str]]:
    if not isinstance(conditions, dict):
        raise InvalidInputError(_("Conditions must be an object of field → values."), code="invalid_conditions")
    cleaned: dict[str, list[str]] = {}
    for key, values in conditions.items():
        if key not in SLA_CONDITION_KEYS:
            raise InvalidInputError(
                _("SLA condition on an unknown field “%(field)s”.") % {"field": key}, code="unknown_field"
            )
        if isinstance(values, str):
            values = [v.strip() for v in values.split(",")]
        values = [str(v).strip() for v in values or [] if str(v).strip()]
        allowed = SLA_CONDITION_KEYS[key]
        for value in values:
            if allowed is not None and value not in allowed:
                raise InvalidInputError(
                    _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": key}, code="invalid_choice"
                )
        if values:
            cleaned[key] = values
    return cleaned


def save_policy(
    *,
    actor: Actor,
    name: str,
    conditions: Any = None,
    first_response_minutes: int | None = None,
    next_response_minutes: int | None = None,
    resolution_minutes: int | None = None,
    business_hours: bool = True,
    calendar: BusinessCalendar | None = None,
    warn_before_minutes: int = 15,
    position: int = 0,
    active: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(_("The policy needs a name."), code="name_required")
    targets = (first_response_minutes, next_response_minutes, resolution_minutes)
    if all(t is None for t in targets):
        raise InvalidInputError(_("Set at least one target."), code="no_targets")
    if any(t is not None and t <= 0 for t in targets):
        raise InvalidInputError(_("Targets must be a positive number of minutes."), code="invalid_target")
    if warn_before_minutes < 0:
        raise InvalidInputError(_("The warning must come before the breach."), code="invalid_warning")
    record = policy or SlaPolicy()
    record.name = name[:100]
    record.conditions = clean_sla_conditions(conditions or {})
    record.first_response_minutes, record.next_response_minutes, record.resolution_minutes = targets
    record.business_hours, record.calendar = business_hours, calendar
    record.warn_before_minutes, record.position, record.active = warn_before_minutes, position, active
    with transaction.atomic():
        if SlaPolicy.objects.filter(name=record.name).exclude(pk=record.pk).exists():
            raise InvalidInputError(_("A policy with this name exists."), code="name_taken")
        record.save()
        _audit(actor, record, {"sla_policy": record.name})
    reapply_policies()
    return record
