"""The customer's own profile in the portal: name, language, time zone, and the opt-in to a greeting
on their special date (with the date), which the workflow sweep then sends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from helpline.core.actors import Actor
from helpline.workflow import greetings, sweep
from tests.factories import make_agent, make_customer
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeting_desk() -> Any:
    return greetings.save_follow_up_settings(
        actor=Actor.of_agent(make_agent("admin", username="boss")),
        call_confirmation_enabled=False,
        call_confirmation_templates={},
        call_confirmation_prefer_sms=False,
        greeting_enabled=True,
        greeting_attribute="birthday",
        greeting_templates={
            "en": "Happy birthday, {{ customer.first_name }}!",
            "ka": "გილოცავთ, {{ customer.first_name }}!",
        },
    )


def test_profile_needs_a_sign_in(client: Client) -> None:
    response = client.get("/portal/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


def test_no_greeting_fields_when_the_desk_sends_none(client: Client) -> None:
    customer = make_customer("ana@example.com", name="Ana")
    sign_in(client, customer)
    page = client.get("/portal/profile/").content.decode()
    assert 'name="time_zone"' in page and 'name="greetings_opt_in"' not in page


def test_customer_opts_in_with_a_date_and_is_greeted(client: Client, greeting_desk: Any, monkeypatch: Any) -> None:
    customer = make_customer("nino@example.com", name="Nino Beridze")
    sign_in(client, customer)
    page = client.get("/portal/profile/").content.decode()
    assert 'name="greetings_opt_in"' in page and 'type="date"' in page

    refused = client.post("/portal/profile/", {"name": "Nino Beridze", "greetings_opt_in": "on"})
    assert refused.status_code == 422
    assert "Give the date you would like to be greeted on." in refused.content.decode()
    customer.refresh_from_db()
    assert not greetings.is_opted_in(customer)

    bad_zone = client.post("/portal/profile/", {"name": "Nino", "time_zone": "Mars/Olympus"})
    assert bad_zone.status_code == 422 and "Mars/Olympus" in bad_zone.content.decode()

    saved = client.post(
        "/portal/profile/",
        {
            "name": "Nino Beridze",
            "language": "ka",
            "time_zone": "Asia/Tbilisi",
            "greetings_opt_in": "on",
            "special_date": "1994-04-21",
        },
    )
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "ka" and customer.time_zone == "Asia/Tbilisi"
    assert customer.custom_attributes == {"greetings_opt_in": True, "birthday": "1994-04-21"}
    shown = client.get("/portal/profile/").content.decode()
    assert 'value="1994-04-21"' in shown and "checked" in shown

    # 09:00 in Tbilisi is 05:00 UTC: the sweep greets her in her language from then on.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 4, 21, 5, 30, tzinfo=dt.UTC))
    mail.outbox.clear()
    assert sweep.run_sweep(timezone.now())["greetings"] == 1
    assert mail.outbox[0].to == ["nino@example.com"] and mail.outbox[0].body == "გილოცავთ, Nino!"

    client.post("/portal/profile/", {"name": "Nino Beridze", "language": "ka", "special_date": "1994-04-21"})
    customer.refresh_from_db()
    assert not greetings.is_opted_in(customer) and customer.custom_attributes["birthday"] == "1994-04-21"


@pytest.fixture
def english_after() -> Any:
    yield
    translation.activate("en")  # the request activated Mongolian in this thread


def test_profile_page_is_localised(client: Client, greeting_desk: Any, english_after: Any) -> None:
    customer = make_customer("temuulen@example.com", name="Temuulen", language="mn")
    sign_in(client, customer)
    client.cookies["django_language"] = "mn"
    page = client.get("/portal/profile/", HTTP_ACCEPT_LANGUAGE="mn").content.decode()
    assert '<html lang="mn"' in page
    # labels the catalogs already carry; this change's new strings are listed for the next catalog run
    assert "Таны нэр" in page and "Цагийн бүс" in page and "Хадгалах" in page
