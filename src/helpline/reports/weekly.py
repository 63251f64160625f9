"""The weekly report: the dashboard's headline KPIs for the last seven days as a PDF (WeasyPrint
with the Debian Noto fonts, so Georgian, Amharic, Mongolian and Telugu text is shaped and embedded),
emailed to the recipients an admin chose, on the day and hour they chose.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

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


def current_slot(record: ReportSettings, now: dt.datetime) -> dt.datetime:
    """The latest scheduled moment (weekday at hour, UTC) at or before `now`."""
    today = now.astimezone(dt.UTC).replace(hour=record.weekly_hour, minute=0, second=0, microsecond=0)
    slot = today - dt.timedelta(days=(today.weekday() - record.weekly_weekday) % 7)
    return slot if slot <= now else slot - WEEK


def next_slot(record: ReportSettings, now: dt.datetime) -> dt.datetime:
    return current_slot(record, now) + WEEK


def is_due(record: ReportSettings, now: dt.datetime) -> bool:
    if not record.weekly_enabled or not record.recipients():
        return False
    slot = current_slot(record, now)
    return record.weekly_last_sent_at is None or record.weekly_last_sent_at < slot


def _headline_rows(board: dashboard.Dashboard) -> list[dict[str, Any]]:
    return [
        {"headline": h, "label": DEFINITIONS[h.key][0], "definition": DEFINITIONS[h.key][1]} for h in board.headlines
    ]


def render_pdf(*, end: dt.datetime, language: str) -> bytes:
    """The PDF for the seven days before `end`, in `language`."""
    from weasyprint import HTML

    f = ReportFilter(start=end - WEEK, end=end)
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


def send_weekly_report(*, now: dt.datetime | None = None, force: bool = False) -> bool:
    """Send the report when it is due (or `force`); True when mail went out. Marks the slot sent
    under a row lock first, so two workers never both send it."""
    from django.db import transaction

    now = now or timezone.now()
    with transaction.atomic():
        record = ReportSettings.objects.select_for_update().order_by("pk").first()
        if record is None or not (force or is_due(record, now)):
            return False
        if not record.recipients():
            return False
        record.weekly_last_sent_at = now
        record.save(update_fields=["weekly_last_sent_at"])
        language, recipients = record.weekly_language or settings.LANGUAGE_CODE, record.recipients()
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    pdf = render_pdf(end=end, language=language)
    with translation.override(language):
        context = {"brand_name": brand_name(), "start": end - WEEK, "last_day": end - dt.timedelta(seconds=1)}
        subject = " ".join(render_to_string("reports/email/weekly_subject.txt", context).split())
        email = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reports/email/weekly.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            headers={"Auto-Submitted": "auto-generated"},
        )
    email.attach(f"helpline-weekly-{(end - WEEK):%Y-%m-%d}.pdf", pdf, "application/pdf")
    email.send()
    log.info("weekly report sent to %s recipients", len(recipients))
    return True
