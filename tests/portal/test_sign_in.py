from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client

from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.portal.auth import MAGIC_LINK_SALT, SESSION_KEY, make_token, read_token
from tests.factories import make_agent, make_customer, make_ticket
from tests.portal.conftest import link_path, sign_in

pytestmark = pytest.mark.django_db


def test_magic_link_signs_in_rotates_session_and_opens_the_ticket(client):
    customer = make_customer(email="lela@example.ge", language="ka")
    ticket = make_ticket(customer)
    client.get("/portal/new/")
    before = client.session.session_key
    token = make_token(customer, "lela@example.ge", ticket)
    response = client.get(f"/portal/auth/{token}/")
    assert response.status_code == 302 and response["Location"] == f"/portal/t/{ticket.public_id}/"
    session = client.session
    assert session[SESSION_KEY] == customer.pk
    assert session.session_key != before
    assert "_auth_user_id" not in session  # not an agent sign-in
    page = client.get(response["Location"])
    assert page.status_code == 200 and '<html lang="ka"' in page.content.decode()


def test_link_without_ticket_goes_to_the_list(client):
    customer = make_customer()
    response = client.get(f"/portal/auth/{make_token(customer, customer.email)}/")
    assert response["Location"] == "/portal/"


def test_expired_link_is_refused(client, settings):
    customer = make_customer()
    token = make_token(customer, customer.email)
    settings.PORTAL_MAGIC_LINK_MAX_AGE = -1
    response = client.get(f"/portal/auth/{token}/")
    assert response.status_code == 400
    assert SESSION_KEY not in client.session
    assert "/portal/login/" in response.content.decode()


def test_tampered_link_is_refused(client):
    customer = make_customer()
    victim = make_customer()
    token = make_token(customer, customer.email)
    payload, rest = token.split(":", 1)
    forged_payload = signing.dumps({"c": victim.public_id, "i": victim.identities.get().pk}, salt="other").split(":")[0]
    for forged in (forged_payload + ":" + rest, token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        response = client.get(f"/portal/auth/{forged}/")
        assert response.status_code == 400
    assert SESSION_KEY not in client.session
    # A token signed for another purpose (another salt) is no magic link either.
    other = signing.dumps({"c": customer.public_id, "i": customer.identities.get().pk}, salt="helpline.other")
    assert client.get(f"/portal/auth/{other}/").status_code == 400
    assert read_token(signing.dumps({"c": customer.public_id}, salt=MAGIC_LINK_SALT)) is None


def test_link_stops_working_when_the_address_moves_to_someone_else():
    customer = make_customer(email="moving@example.com")
    token = make_token(customer, "moving@example.com")
    identity = customer.identities.get()
    customer_actions.remove_identity(actor=Actor.system(), identity=identity)
    other = make_customer(email="moving@example.com")
    assert read_token(token) is None
    assert read_token(make_token(other, "moving@example.com")).customer == other


def test_link_of_a_merged_customer_signs_into_the_surviving_profile(client):
    source = make_customer(email="old@example.com")
    target = make_customer(email="new@example.com")
    token = make_token(source, "old@example.com")
    supervisor = make_agent("supervisor")
    customer_actions.merge_customers(actor=Actor.of_agent(supervisor), source=source, target=target)
    client.get(f"/portal/auth/{token}/")
    assert client.session[SESSION_KEY] == target.pk


def test_login_emails_a_link_to_a_known_address(client, commits):
    customer = make_customer(email="known@example.com", name="Known")
    ticket = make_ticket(customer, subject="My order")
    with commits():
        response = client.post("/portal/login/", {"email": "Known@Example.com"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["known@example.com"]
    fresh = Client()
    follow = fresh.get(link_path(mail.outbox[0].body))
    assert follow["Location"] == "/portal/"
    listing = fresh.get("/portal/")
    assert "My order" in listing.content.decode() and f"#{ticket.number}" in listing.content.decode()


def test_login_answers_the_same_for_an_unknown_address(client, commits):
    make_customer(email="known@example.com")
    with commits():
        known = client.post("/portal/login/", {"email": "known@example.com"})
        unknown = client.post("/portal/login/", {"email": "stranger@example.com"})
    assert known.status_code == unknown.status_code == 200

    def text(response):
        return response.content.decode().replace("known@example.com", "X").replace("stranger@example.com", "X")

    assert text(known).split("<main", 1)[1] == text(unknown).split("<main", 1)[1]
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_login_is_rate_limited_for_known_and_unknown_alike(client, commits, settings):
    settings.PORTAL_RATE_LIMIT = (2, 600)
    make_customer(email="known@example.com")
    with commits():
        for email in ("known@example.com", "nobody@example.com"):
            statuses = [
                client.post("/portal/login/", {"email": email}, REMOTE_ADDR=f"10.9.{i}.1").status_code for i in range(3)
            ]
            assert statuses == [200, 200, 429]
    assert len(mail.outbox) == 2
    refused = client.post("/portal/login/", {"email": "nobody@example.com"}, REMOTE_ADDR="10.9.9.9")
    assert "Too many requests" in refused.content.decode()


def test_login_with_invalid_address_keeps_it(client):
    response = client.post("/portal/login/", {"email": "nope"})
    assert response.status_code == 422
    assert 'value="nope"' in response.content.decode()


def test_portal_pages_need_a_portal_session(client):
    customer = make_customer()
    ticket = make_ticket(customer)
    for path in ("/portal/", f"/portal/t/{ticket.public_id}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/?next=")
    # An agent session is not a portal session.
    agent = make_agent()
    client.force_login(agent)
    assert client.get("/portal/").status_code == 302


def test_logout_needs_post_and_ends_the_portal_session(client):
    customer = make_customer()
    sign_in(client, customer)
    key = client.session.session_key
    assert client.get("/portal/logout/").status_code == 405
    response = client.post("/portal/logout/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/"
    assert SESSION_KEY not in client.session and client.session.session_key != key
    assert client.get("/portal/").status_code == 302
    assert settings.SESSION_COOKIE_NAME in client.cookies
