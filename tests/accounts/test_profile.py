from __future__ import annotations

import pytest
from django.conf import settings

from helpline.accounts.middleware import LANGUAGE_SESSION_KEY
from helpline.accounts.models import AuditAction, AuditLogEntry
from tests.accounts.helpers import signed_in
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_profile_lists_languages_in_their_own_script_and_time_zones():
    html = signed_in(make_agent()).get(PROFILE).content.decode()
    for name in ("English", "ქართული", "አማርኛ", "Монгол", "తెలుగు"):
        assert name in html
    assert 'value="Asia/Tbilisi"' in html and 'value="Africa/Addis_Ababa"' in html


def test_changing_language_applies_at_once():
    agent = make_agent(language="en")
    client = signed_in(agent)
    assert client.get(PROFILE).context["LANGUAGE_CODE"] == "en"
    response = client.post(
        PROFILE, {"display_name": "ნინო", "language": "ka", "time_zone": "Asia/Tbilisi"}, REMOTE_ADDR="192.0.2.4"
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ka"
    agent.refresh_from_db()
    assert (agent.display_name, agent.language, agent.time_zone) == ("ნინო", "ka", "Asia/Tbilisi")
    assert client.session[LANGUAGE_SESSION_KEY] == "ka"
    page = client.get(PROFILE)
    assert page.context["LANGUAGE_CODE"] == "ka"
    assert '<html lang="ka"' in page.content.decode()
    entry = AuditLogEntry.objects.get(action=AuditAction.USER_UPDATED)
    assert entry.data["language"] == ["en", "ka"] and entry.ip_address == "192.0.2.4"


def test_bad_time_zone_and_language_are_refused_and_input_kept():
    agent = make_agent()
    client = signed_in(agent)
    response = client.post(PROFILE, {"display_name": "Keep me", "language": "xx", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Keep me"' in html
    agent.refresh_from_db()
    assert agent.language == "en" and agent.time_zone == "UTC"


def test_a_light_agent_may_edit_their_own_profile():
    agent = make_agent("light_agent")
    response = signed_in(agent).post(PROFILE, {"display_name": "Light", "language": "te", "time_zone": "Asia/Kolkata"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "te"


def test_profile_needs_sign_in(client):
    assert client.get(PROFILE)["Location"] == "/accounts/login/?next=/accounts/profile/"
