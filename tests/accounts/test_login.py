from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from helpline.accounts.models import AuditAction, AuditLogEntry, LoginFailure
from tests.factories import PASSWORD, make_agent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _fail(client, username: str, times: int) -> list[int]:
    return [client.post(LOGIN, {"username": username, "password": "wrong-password"}).status_code for _ in range(times)]


def test_login_success_redirects_to_safe_next_and_sets_language(client):
    agent = make_agent(username="nino", language="ka")
    response = client.post(LOGIN + "?next=/accounts/profile/", {"username": "nino", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert client.get("/accounts/profile/").context["LANGUAGE_CODE"] == "ka"


def test_login_refuses_offsite_next(client):
    make_agent(username="nino")
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "nino", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_login_failure_keeps_username_and_says_why(client):
    make_agent(username="nino")
    response = client.post(LOGIN, {"username": "nino", "password": "nope-nope"})
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    assert 'value="nino"' in response.content.decode()
    assert LoginFailure.objects.filter(username="nino").count() == 1


def test_lockout_after_max_failures_shows_wait_and_unlocks_after_window(client):
    make_agent(username="nino")
    limit = settings.LOGIN_MAX_FAILURES
    assert _fail(client, "nino", limit) == [401] * limit
    # Now even the right password is refused, with the remaining wait in words and in Retry-After.
    locked = client.post(LOGIN, {"username": "nino", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    wait = int(locked["Retry-After"])
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS - 5 <= wait <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    minutes = -(-wait // 60)
    assert f"Try again in {minutes} minutes" in locked.content.decode()
    assert AuditLogEntry.objects.filter(action=AuditAction.LOGIN_LOCKED, ip_address="127.0.0.1").count() == 1

    # Age the failures: most of the window has passed, so the wait shrinks to seconds.
    LoginFailure.objects.update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS - 30)
    )
    almost = client.post(LOGIN, {"username": "nino", "password": PASSWORD})
    assert almost.status_code == 429
    assert 20 <= int(almost["Retry-After"]) <= 30
    assert "seconds" in almost.content.decode()

    # Once the window is over the right password works again.
    LoginFailure.objects.update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    response = client.post(LOGIN, {"username": "nino", "password": PASSWORD})
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="nino").exists()


def test_lockout_counts_the_username_case_insensitively(client):
    make_agent(username="nino")
    _fail(client, "NINO", settings.LOGIN_MAX_FAILURES)
    assert client.post(LOGIN, {"username": "nino", "password": PASSWORD}).status_code == 429


def test_lockout_from_one_address_spares_other_accounts_until_many_fail(client):
    make_agent(username="nino")
    make_agent(username="dato")
    _fail(client, "nino", settings.LOGIN_MAX_FAILURES)
    # The same address may still sign in as someone else: the address limit is four times higher.
    assert client.post(LOGIN, {"username": "dato", "password": PASSWORD}).status_code == 302


def test_rate_limited_page_works_without_a_session(client):
    make_agent(username="nino")
    _fail(client, "nino", settings.LOGIN_MAX_FAILURES)
    response = client.post(LOGIN, {"username": "nino", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert 'role="alert"' in html and "<form" in html
