"""The weekly report: the dashboard's headline KPIs for the last seven days as a PDF (WeasyPrint
with the Debian Noto fonts, so Georgian, Amharic, Mongolian and Telugu text is shaped and embedded),
emailed to the recipients an admin chose, on the day and hour they chose in their time zone.

When it goes out (stored tasks, exactly once per slot) is `weekly_schedule`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from helpline.portal.branding import brand_name
from helpline.reports import dashboard
from helpline.reports.definitions import DEFINITIONS
from helpline.reports.filters import ReportFilter
from helpline.reports.models import ReportSettings
from helpline.reports.sql import report_queries

log = logging.getLogger("helpline.reports.weekly")
WEEK = dt.timedelta(days=7)


def report_settings() -> ReportSettings:
    record = ReportSettings.objects.order_by("pk").first()
    return record if record is not None else ReportSettings(pk=None)


def zone_of(record: ReportSettings) -> ZoneInfo:
    try:
        return ZoneInfo(record.weekly_time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _slot_on(record: ReportSettings, day: dt.date) -> dt.datetime:
    """The report's hour on local `day`, in UTC (an hour skipped by a clock change falls after it)."""
    local = dt.datetime.combine(day, dt.time(record.weekly_hour), tzinfo=zone_of(record))
    return local.astimezone(dt.UTC)


def current_slot(record: ReportSettings, now: dt.datetime) -> dt.datetime:
    """The latest scheduled moment (weekday at hour, in the report's time zone) at or before `now`."""
    local = now.astimezone(zone_of(record))
    day = local.date() - dt.timedelta(days=(local.weekday() - record.weekly_weekday) % 7)
    slot = _slot_on(record, day)
    return slot if slot <= now else _slot_on(record, day - WEEK)


def next_slot(record: ReportSettings, now: dt.datetime) -> dt.datetime:
    """The first scheduled moment after `now` (a week of local days later: clock changes keep the hour)."""
    day = current_slot(record, now).astimezone(zone_of(record)).date()
    return _slot_on(record, day + WEEK)


def is_due(record: ReportSettings, now: dt.datetime) -> bool:
    if not record.weekly_enabled or not record.recipients():
        return False
    slot = current_slot(record, now)
    return record.weekly_last_sent_at is None or record.weekly_last_sent_at < slot


def _headline_rows(board: dashboard.Dashboard) -> list[dict[str, Any]]:
    return [
        {"headline": h, "label": DEFINITIONS[h.key][0], "definition": DEFINITIONS[h.key][1]} for h in board.headlines
    ]


def render_pdf(*, end: dt.datetime, language: str, tz: dt.tzinfo = dt.UTC) -> bytes:
    """The PDF for the seven days before `end`, in `language`, days counted in `tz`."""
    from weasyprint import HTML

    f = ReportFilter(start=end - WEEK, end=end, tz=tz)
    with report_queries():
        board = dashboard._build(f, end)
    with translation.override(language):
        html = render_to_string(
            "reports/weekly_report.html",
            {
                "brand_name": brand_name(),
                "start": f.start,
                "last_day": f.end - dt.timedelta(seconds=1),
                "rows": _headline_rows(board),
                "board": board,
                "language": language,
            },
        )
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


def mail_report(*, end: dt.datetime, language: str, recipients: list[str], tz: dt.tzinfo = dt.UTC) -> None:
    """Render the week before `end` and mail it with the PDF attached (raises when sending fails)."""
    pdf = render_pdf(end=end, language=language, tz=tz)
    start, last_day = (end - WEEK).astimezone(tz), (end - dt.timedelta(seconds=1)).astimezone(tz)
    with translation.override(language):
        context = {"brand_name": brand_name(), "start": start, "last_day": last_day}
        subject = " ".join(render_to_string("reports/email/weekly_subject.txt", context).split())
        email = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reports/email/weekly.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            headers={"Auto-Submitted": "auto-generated"},
        )
    email.attach(f"helpline-weekly-{start:%Y-%m-%d}.pdf", pdf, "application/pdf")
    email.send()
    log.info("weekly report sent to %s recipients", len(recipients))
