"""Writes of the reports app: the workspace's report settings (leaderboard visibility, weekly report)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.core.timezones import is_time_zone
from helpline.reports.models import CustomerSegment, ReportSettings

MAX_RECIPIENTS = 50


def _clean_recipients(text: str) -> str:
    addresses = [line.strip().lower() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]
    if len(addresses) > MAX_RECIPIENTS:
        raise InvalidInputError(
            _("At most %(count)s recipients.") % {"count": MAX_RECIPIENTS}, code="too_many_recipients"
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInputError(
                _("“%(value)s” is not a valid email address.") % {"value": address}, code="invalid_email"
            ) from None
    return "\n".join(dict.fromkeys(addresses))


def update_report_settings(
    *,
    actor: Actor,
    leaderboard_for_agents: bool,
    weekly_enabled: bool,
    weekly_recipients: str,
    weekly_weekday: int,
    weekly_hour: int,
    weekly_language: str,
    weekly_time_zone: str = "UTC",
) -> ReportSettings:
    """Admins only. Saving (re)schedules the weekly report for its next slot (day and hour in
    `weekly_time_zone`)."""
    if actor.agent is None or not actor.agent.is_admin:
        raise NotPermittedError(_("Only admins may manage agents, teams and settings."))
    if not 0 <= int(weekly_weekday) <= 6 or not 0 <= int(weekly_hour) <= 23:
        raise InvalidInputError(_("Choose a day and an hour."), code="invalid_schedule")
    if not is_time_zone(weekly_time_zone):
        raise InvalidInputError(_("Unknown time zone."), code="invalid_time_zone")
    if weekly_language not in dict(settings.LANGUAGES):
        raise InvalidInputError(_("Unknown language."), code="invalid_language")
    recipients = _clean_recipients(weekly_recipients)
    if weekly_enabled and not recipients:
        raise InvalidInputError(_("Add at least one recipient."), code="recipients_required")
    with transaction.atomic():
        record = ReportSettings.objects.select_for_update().order_by("pk").first() or ReportSettings()
        record.leaderboard_for_agents = bool(leaderboard_for_agents)
        record.weekly_enabled = bool(weekly_enabled)
        record.weekly_recipients = recipients
        record.weekly_weekday, record.weekly_hour = int(weekly_weekday), int(weekly_hour)
        record.weekly_language = weekly_language
        record.weekly_time_zone = weekly_time_zone
        record.save()
        from helpline.reports import tasks

        transaction.on_commit(tasks.schedule_weekly_report)
    return record


def save_segment(*, actor: Actor, name: str, filters: dict[str, object]) -> CustomerSegment:
    """Supervisors and admins save a customer filter for everyone."""
    from helpline.reports.segments import clean_filters

    if actor.agent is None or not actor.agent.is_supervisor_or_admin:
        raise NotPermittedError(_("Only supervisors and admins may do this."))
    name = (name or "").strip()[:100]
    if not name:
        raise InvalidInputError(_("Give the segment a name."), code="name_required")
    cleaned = clean_filters(dict(filters))
    with transaction.atomic():
        if CustomerSegment.objects.filter(name=name).exists():
            raise InvalidInputError(_("A segment with this name exists."), code="name_taken")
        return CustomerSegment.objects.create(name=name, filters=cleaned, created_by=actor.agent)


def delete_segment(*, actor: Actor, segment: CustomerSegment) -> None:
    if actor.agent is None or not actor.agent.is_supervisor_or_admin:
        raise NotPermittedError(_("Only supervisors and admins may do this."))
    with transaction.atomic():
        CustomerSegment.objects.filter(pk=segment.pk).delete()
