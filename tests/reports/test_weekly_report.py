"""The weekly report: admin settings, the schedule, the PDF (valid, fonts embedded, text in each
language) and the email it goes out with; the leaderboard switch for agents."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pypdf
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.reports import actions, weekly, weekly_schedule
from helpline.reports.models import ReportSettings
from tests.factories import make_agent
from tests.reports.dataset import T0, D, Desk, build

pytestmark = pytest.mark.django_db
SCRIPT = {"ka": "[\u10a0-\u10ff]", "am": "[\u1200-\u137f]", "mn": "[\u0400-\u04ff]", "te": "[\u0c00-\u0c7f]"}
FONT = {"ka": "Georgian", "am": "Ethiopic", "te": "Telugu", "mn": "Noto-Sans"}


@pytest.fixture
def desk() -> Desk:
    return build()


def _settings(**overrides: Any) -> ReportSettings:
    values: dict[str, Any] = {
        "leaderboard_for_agents": False,
        "weekly_enabled": True,
        "weekly_recipients": "boss@example.ge\nTeam@Example.ge",
        "weekly_weekday": 0,
        "weekly_hour": 7,
        "weekly_language": "ka",
    }
    values.update(overrides)
    return actions.update_report_settings(actor=Actor.of_agent(make_agent(Role.ADMIN)), **values)


def _fonts(reader: pypdf.PdfReader) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/FontDescriptor" in font.get_object() or "/DescendantFonts" in font.get_object()
    }


def test_only_admins_change_the_settings_and_bad_input_is_refused() -> None:
    with pytest.raises(NotPermittedError):
        actions.update_report_settings(
            actor=Actor.of_agent(make_agent(Role.SUPERVISOR)),
            leaderboard_for_agents=True,
            weekly_enabled=False,
            weekly_recipients="",
            weekly_weekday=0,
            weekly_hour=7,
            weekly_language="en",
        )
    with pytest.raises(InvalidInputError):
        _settings(weekly_recipients="not an address")
    with pytest.raises(InvalidInputError):
        _settings(weekly_recipients="")
    record = _settings()
    assert record.recipients() == ["boss@example.ge", "team@example.ge"]


def test_the_schedule_slot() -> None:
    record = ReportSettings(weekly_enabled=True, weekly_recipients="a@example.ge", weekly_weekday=0, weekly_hour=7)
    monday_8 = dt.datetime(2026, 3, 9, 8, tzinfo=dt.UTC)
    assert weekly.current_slot(record, monday_8) == dt.datetime(2026, 3, 9, 7, tzinfo=dt.UTC)
    assert weekly.current_slot(record, monday_8 - dt.timedelta(hours=2)) == dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    assert weekly.next_slot(record, monday_8) == dt.datetime(2026, 3, 16, 7, tzinfo=dt.UTC)
    assert weekly.is_due(record, monday_8)
    record.weekly_last_sent_at = monday_8
    assert not weekly.is_due(record, monday_8 + dt.timedelta(days=3))
    assert weekly.is_due(record, dt.datetime(2026, 3, 16, 7, tzinfo=dt.UTC))


def test_the_report_is_mailed_once_per_slot_with_a_pdf_in_the_chosen_language(desk: Desk) -> None:
    _settings()
    mail.outbox.clear()
    monday = T0 + 7 * D + dt.timedelta(hours=7, minutes=5)  # Monday 2026-03-09 07:05
    assert weekly_schedule.send_due(now=monday)
    assert not weekly_schedule.send_due(now=monday + dt.timedelta(hours=1))  # already sent this slot
    [message] = mail.outbox
    assert message.to == ["boss@example.ge", "team@example.ge"]
    assert re.search(SCRIPT["ka"], message.subject)
    [(name, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and name.endswith(".pdf") and content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    with translation.override("ka"):
        assert gettext("Tickets opened") in text and gettext("First response time") in text
    assert "66.7%" in text  # CSAT of the hand-built week: 2 of 3
    assert any("Georgian" in font for font in _fonts(reader))


@pytest.mark.parametrize("language", ["am", "mn", "te"])
def test_the_pdf_renders_each_script_with_embedded_fonts(desk: Desk, language: str) -> None:
    content = weekly.render_pdf(end=T0 + 7 * D, language=language)
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(re.findall(SCRIPT[language], text)) > 50
    if language != "te":  # Telugu conjuncts do not always extract back to the same code points
        with translation.override(language):
            assert gettext("Tickets opened") in text
    assert any(FONT[language] in font for font in _fonts(reader))
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object().get("/FontDescriptor")
        if descriptor is not None:
            assert any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_the_command_sends_when_forced(desk: Desk) -> None:
    _settings(weekly_language="en")
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_weekly_report", "--force", stdout=out)
    assert out.getvalue().strip() == "sent" and len(mail.outbox) == 1


def test_settings_page_is_for_admins(desk: Desk) -> None:
    supervisor, admin = Client(), Client()
    supervisor.force_login(make_agent(Role.SUPERVISOR))
    admin.force_login(make_agent(Role.ADMIN))
    assert supervisor.get("/reports/settings/").status_code == 403
    assert admin.get("/reports/settings/").status_code == 200
    response = admin.post(
        "/reports/settings/",
        {
            "leaderboard_for_agents": "on",
            "weekly_enabled": "on",
            "weekly_recipients": "a@example.ge",
            "weekly_weekday": "4",
            "weekly_hour": "16",
            "weekly_time_zone": "Asia/Kolkata",
            "weekly_language": "te",
        },
    )
    assert response.status_code == 302
    record = weekly.report_settings()
    assert (record.leaderboard_for_agents, record.weekly_weekday, record.weekly_hour, record.weekly_language) == (
        True,
        4,
        16,
        "te",
    )
    assert record.weekly_time_zone == "Asia/Kolkata"
    assert (
        admin.post("/reports/settings/", {"weekly_time_zone": "Mars/Olympus", "weekly_weekday": "0"}).status_code == 200
    )
    assert weekly.report_settings().weekly_time_zone == "Asia/Kolkata"


def test_agents_see_the_leaderboard_only_when_enabled(desk: Desk) -> None:
    week = "start=2026-03-02&end=2026-03-08"
    agent = Client()
    agent.force_login(desk.a1)
    assert 'id="leaderboard"' not in agent.get(f"/reports/?{week}").content.decode()
    supervisor = Client()
    supervisor.force_login(make_agent(Role.SUPERVISOR))
    assert 'id="leaderboard"' in supervisor.get(f"/reports/?{week}").content.decode()
    _settings(leaderboard_for_agents=True)
    page = agent.get(f"/reports/?{week}").content.decode()
    assert 'id="leaderboard"' in page
    board = page.split('id="leaderboard"', 1)[1].split("</section>", 1)[0]
    assert str(desk.b1) in board and str(desk.a1) in board  # the whole team, not only the agent's own row
