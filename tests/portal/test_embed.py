from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_embed_page_may_be_framed_and_takes_language_and_subject(client):
    response = client.get("/portal/embed/?lang=mn&subject=Order%2042&email=a%40example.com")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert '<html lang="mn"' in html
    assert 'value="Order 42"' in html and 'value="a@example.com"' in html
    assert 'name="lang" value="mn"' in html
    assert "portal/embed-frame.js" in html
    assert "portal-header" not in html  # minimal chrome
    # Every other page still refuses to be framed.
    assert client.get("/portal/login/")["X-Frame-Options"] == "DENY"


def test_embed_csrf_cookie_is_cross_site_on_https_only(client):
    secure = client.get("/portal/embed/", secure=True)
    cookie = secure.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["samesite"] == "None" and cookie["secure"] is True
    plain = Client().get("/portal/embed/")
    cookie = plain.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["samesite"] == "Lax" and not cookie["secure"]


@pytest.mark.parametrize("secure", [False, True])
def test_embedded_form_submits_with_csrf_enforced(commits, secure):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/portal/embed/?lang=ka", secure=secure)
    token = page.context["csrf_token"]
    headers = {"HTTP_REFERER": "https://testserver/portal/embed/"} if secure else {}
    data = {
        "csrfmiddlewaretoken": str(token),
        "lang": "ka",
        "name": "Tamar",
        "email": "tamar@example.ge",
        "subject": "Embedded",
        "message": "Sent from the shop page",
    }
    with commits():
        response = browser.post("/portal/embed/", data, secure=secure, **headers)
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith("/portal/embed/received/?r=")
    ticket = Ticket.objects.get()
    assert ticket.requester.language == "ka"
    done = browser.get(response["Location"], secure=secure)
    assert done.status_code == 200 and "X-Frame-Options" not in done
    assert f'data-ticket-number="{ticket.number}"' in done.content.decode()
    assert len(mail.outbox) == 1


def test_embedded_form_without_csrf_token_is_refused():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/portal/embed/", {"name": "X", "email": "x@example.com", "subject": "S", "message": "M"}, secure=True
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_embed_script_injects_a_resizing_iframe(client):
    response = client.get("/portal/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert '"/portal/embed/"' in script
    assert 'createElement("iframe")' in script
    assert "helpline:resize" in script and "event.source !== frame.contentWindow" in script
    for option in ("lang", "subject"):
        assert f'"{option}"' in script


def test_embed_help_page_shows_the_snippet(client):
    response = client.get("/portal/embed/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '&lt;script src="http://testserver/portal/embed.js"' in html
    assert "data-lang" in html and "data-subject" in html and "SameSite=None" in html
